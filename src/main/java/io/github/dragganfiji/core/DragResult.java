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
 */
public record DragResult(DragStep last, int updates, boolean arrived, boolean cancelled, boolean diverged,
	DragVerification.Result verification)
{

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
