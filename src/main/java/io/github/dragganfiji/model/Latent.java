package io.github.dragganfiji.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;

/**
 * A W+ latent of a given model, with a text form for image metadata:
 * {@code <num_ws>x<w_dim>:<base64 of little-endian float32>}.
 *
 * @param numWs layers
 * @param wDim values per layer
 * @param ws [numWs * wDim], row-major
 */
public record Latent(int numWs, int wDim, float[] ws) {

	public Latent {
		if (numWs < 1 || wDim < 1 || ws.length != numWs * wDim) throw new IllegalArgumentException("a latent of " +
			numWs + " x " + wDim + " needs " + (long) numWs * wDim + " values, not " + ws.length);
		ws = ws.clone();
	}

	@Override
	public float[] ws() {
		return ws.clone();
	}

	/** Values beyond this are not a StyleGAN latent (w values lie within a few tens of w_avg). */
	public static final float MAX_ABS = 1000;

	/**
	 * Checks that every value is finite and within {@link #MAX_ABS}: a latent read from a damaged or edited file
	 * would otherwise give a black or meaningless image. An IllegalArgumentException says which value.
	 */
	public void requirePlausible() {
		for (int i = 0; i < ws.length; i++)
			if (!Float.isFinite(ws[i]) || Math.abs(ws[i]) > MAX_ABS) throw new IllegalArgumentException(
				"The stored latent is damaged: value " + (i + 1) + " of " + ws.length + " is " + ws[i] +
					" (a DragGAN latent holds finite values of at most " + (int) MAX_ABS + " in size).");
	}

	/** Whether it fits this model. */
	public boolean fits(final ModelMetadata m) {
		return numWs == m.numWs() && wDim == m.wDim();
	}

	/** The text form. */
	public String encode() {
		final ByteBuffer b = ByteBuffer.allocate(ws.length * 4).order(ByteOrder.LITTLE_ENDIAN);
		b.asFloatBuffer().put(ws);
		return numWs + "x" + wDim + ":" + Base64.getEncoder().encodeToString(b.array());
	}

	/** Parses the text form; a clear IllegalArgumentException when it is not one. */
	public static Latent decode(final String text) {
		final String bad = "not a DragGAN latent (expected '<layers>x<size>:<base64>')";
		if (text == null) throw new IllegalArgumentException(bad);
		final int colon = text.indexOf(':'), x = text.indexOf('x');
		if (colon < 0 || x < 0 || x > colon) throw new IllegalArgumentException(bad);
		try {
			final int n = Integer.parseInt(text.substring(0, x).trim());
			final int d = Integer.parseInt(text.substring(x + 1, colon).trim());
			final byte[] bytes = Base64.getDecoder().decode(text.substring(colon + 1).trim());
			final float[] ws = new float[bytes.length / 4];
			ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(ws);
			return new Latent(n, d, ws);
		}
		catch (final IllegalArgumentException e) {
			throw new IllegalArgumentException(bad + ": " + e.getMessage(), e);
		}
	}

	@Override
	public boolean equals(final Object o) {
		return o instanceof Latent l && l.numWs == numWs && l.wDim == wDim && Arrays.equals(l.ws, ws);
	}

	@Override
	public int hashCode() {
		return 31 * (31 * numWs + wDim) + Arrays.hashCode(ws);
	}

	@Override
	public String toString() {
		return "Latent[" + numWs + " x " + wDim + "]";
	}
}
