package io.github.dragganfiji.core;

/**
 * How a drag ended.
 *
 * @param last the last step
 * @param updates how many optimizer updates were made
 * @param arrived whether every handle reached its target
 * @param cancelled whether the user stopped it
 * @param diverged whether it stopped because its loss or latent stopped being finite and plausible: {@code last} is
 *          then the last good step
 */
public record DragResult(DragStep last, int updates, boolean arrived, boolean cancelled, boolean diverged) {

	public DragResult(final DragStep last, final int updates, final boolean arrived, final boolean cancelled) {
		this(last, updates, arrived, cancelled, false);
	}
}
