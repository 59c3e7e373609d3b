package io.github.dragganfiji.core;

/**
 * How a drag ended.
 *
 * @param last the last step
 * @param updates how many optimizer updates were made
 * @param arrived whether the tracker reports every handle at its target (see {@code verification} for the image)
 * @param cancelled whether the user stopped it
 * @param diverged whether it stopped because its loss or latent stopped being finite and plausible: {@code last} is
 *          then the last good step
 * @param verification where the content really went, measured in the image (null when not measured)
 * @param rolledBackTo the step the result was rolled back to because a handle's content had ended farther from its
 *          target than at the start ({@code last} is that step), or -1
 * @param movedAway whether the drag stopped because a handle's content kept moving away from its target
 */
public record DragResult(DragStep last, int updates, boolean arrived, boolean cancelled, boolean diverged,
	DragVerification.Result verification, int rolledBackTo, boolean movedAway)
{

	/** A result that was not rolled back. */
	public DragResult(final DragStep last, final int updates, final boolean arrived, final boolean cancelled,
		final boolean diverged, final DragVerification.Result verification)
	{
		this(last, updates, arrived, cancelled, diverged, verification, -1, false);
	}

	/** Whether the result is an earlier step than the drag's last one (see {@code rolledBackTo}). */
	public boolean rolledBack() {
		return rolledBackTo >= 0;
	}

	/** A result without a verification that did not diverge. */
	public DragResult(final DragStep last, final int updates, final boolean arrived, final boolean cancelled) {
		this(last, updates, arrived, cancelled, false, null);
	}

	/** A result that did not diverge. */
	public DragResult(final DragStep last, final int updates, final boolean arrived, final boolean cancelled,
		final DragVerification.Result verification)
	{
		this(last, updates, arrived, cancelled, false, verification);
	}
}
