package io.github.dragganfiji.core;

import java.util.ArrayList;
import java.util.List;

/** The pixel sets of motion supervision and tracking, clipped to the image. */
public final class Geometry {

	private Geometry() {}

	/** Pixels q with |q - centre| &lt; r (strict, as DragGAN), inside a size x size image; row-major order. */
	public static List<int[]> disk(final int cx, final int cy, final int r, final int size) {
		final List<int[]> out = new ArrayList<>();
		for (int y = Math.max(0, cy - r); y <= Math.min(size - 1, cy + r); y++)
			for (int x = Math.max(0, cx - r); x <= Math.min(size - 1, cx + r); x++) {
				final int dx = x - cx, dy = y - cy;
				if (dx * dx + dy * dy < r * r) out.add(new int[] { x, y });
			}
		return out;
	}

	/** The square [cx - r, cx + r] x [cy - r, cy + r] inside a size x size image; row-major order. */
	public static List<int[]> square(final int cx, final int cy, final int r, final int size) {
		final List<int[]> out = new ArrayList<>();
		for (int y = Math.max(0, cy - r); y <= Math.min(size - 1, cy + r); y++)
			for (int x = Math.max(0, cx - r); x <= Math.min(size - 1, cx + r); x++)
				out.add(new int[] { x, y });
		return out;
	}
}
