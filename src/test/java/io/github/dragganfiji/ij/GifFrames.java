package io.github.dragganfiji.ij;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Screen grabs as a looping animated GIF, each frame shown as long as it lasted on screen (javax.imageio only). */
final class GifFrames {

	private GifFrames() {}

	static void write(final List<BufferedImage> frames, final List<Long> nanos, final Path out) throws Exception {
		final ImageWriter w = ImageIO.getImageWritersByFormatName("gif").next();
		final IndexColorModel palette = palette();
		java.nio.file.Files.deleteIfExists(out); // (the stream would overwrite it without truncating)
		try (ImageOutputStream os = ImageIO.createImageOutputStream(out.toFile())) {
			w.setOutput(os);
			w.prepareWriteSequence(null);
			for (int i = 0; i < frames.size(); i++) {
				final long next = i + 1 < frames.size() ? nanos.get(i + 1) : nanos.get(i) + 2_000_000_000L;
				final int centis = (int) Math.max(2, (next - nanos.get(i)) / 10_000_000L);
				// After the first frame, only the rectangle that changed (the rest stays from before).
				final java.awt.Rectangle r = i == 0 ? new java.awt.Rectangle(0, 0, frames.get(0).getWidth(), frames.get(0)
					.getHeight()) : changed(frames.get(i - 1), frames.get(i));
				final BufferedImage indexed = indexed(frames.get(i).getSubimage(r.x, r.y, r.width, r.height), palette);
				final ImageTypeSpecifier type = ImageTypeSpecifier.createFromRenderedImage(indexed);
				final IIOMetadata meta = w.getDefaultImageMetadata(type, null);
				final String f = meta.getNativeMetadataFormatName();
				final IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(f);
				final IIOMetadataNode gce = child(root, "GraphicControlExtension");
				gce.setAttribute("disposalMethod", "none");
				gce.setAttribute("userInputFlag", "FALSE");
				gce.setAttribute("transparentColorFlag", "FALSE");
				gce.setAttribute("delayTime", Integer.toString(i + 1 == frames.size() ? 300 : centis));
				gce.setAttribute("transparentColorIndex", "0");
				final IIOMetadataNode desc = child(root, "ImageDescriptor");
				desc.setAttribute("imageLeftPosition", Integer.toString(r.x));
				desc.setAttribute("imageTopPosition", Integer.toString(r.y));
				desc.setAttribute("imageWidth", Integer.toString(r.width));
				desc.setAttribute("imageHeight", Integer.toString(r.height));
				if (i == 0) {
					final IIOMetadataNode app = child(child(root, "ApplicationExtensions"), "ApplicationExtension");
					app.setAttribute("applicationID", "NETSCAPE");
					app.setAttribute("authenticationCode", "2.0");
					app.setUserObject(new byte[] { 1, 0, 0 }); // loop forever
				}
				meta.setFromTree(f, root);
				w.writeToSequence(new IIOImage(indexed, null, meta), null);
			}
			w.endWriteSequence();
		}
	}

	/** The bounding box of the pixels that differ (at least one pixel). */
	private static java.awt.Rectangle changed(final BufferedImage a, final BufferedImage b) {
		int x0 = b.getWidth(), y0 = b.getHeight(), x1 = -1, y1 = -1;
		for (int y = 0; y < b.getHeight(); y++)
			for (int x = 0; x < b.getWidth(); x++)
				if (a.getRGB(x, y) != b.getRGB(x, y)) {
					x0 = Math.min(x0, x);
					y0 = Math.min(y0, y);
					x1 = Math.max(x1, x);
					y1 = Math.max(y1, y);
				}
		return x1 < 0 ? new java.awt.Rectangle(0, 0, 1, 1) : new java.awt.Rectangle(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
	}

	/** 216 colours of a 6 x 6 x 6 cube (exact for the overlay's red, blue, yellow, cyan, white) and 40 more greys. */
	private static IndexColorModel palette() {
		final byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		int n = 0;
		for (int i = 0; i < 6; i++)
			for (int j = 0; j < 6; j++)
				for (int k = 0; k < 6; k++) {
					r[n] = (byte) (i * 51);
					g[n] = (byte) (j * 51);
					b[n] = (byte) (k * 51);
					n++;
				}
		for (int v = 0; n < 256; v++, n++)
			r[n] = g[n] = b[n] = (byte) (6 + v * 6);
		return new IndexColorModel(8, 256, r, g, b);
	}

	/** Nearest palette colour per pixel, no dithering (the grey image stays clean). */
	private static BufferedImage indexed(final BufferedImage src, final IndexColorModel pal) {
		final BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_BYTE_INDEXED,
			pal);
		final int size = pal.getMapSize();
		final int[] pr = new int[size], pg = new int[size], pb = new int[size];
		for (int i = 0; i < size; i++) {
			pr[i] = pal.getRed(i);
			pg[i] = pal.getGreen(i);
			pb[i] = pal.getBlue(i);
		}
		final java.util.Map<Integer, Integer> cache = new java.util.HashMap<>();
		final java.awt.image.WritableRaster raster = out.getRaster();
		for (int y = 0; y < src.getHeight(); y++)
			for (int x = 0; x < src.getWidth(); x++) {
				final int rgb = src.getRGB(x, y) & 0xffffff;
				final int idx = cache.computeIfAbsent(rgb, c -> {
					final int cr = c >> 16 & 255, cg = c >> 8 & 255, cb = c & 255;
					int best = 0, bestD = Integer.MAX_VALUE;
					for (int i = 0; i < size; i++) {
						final int d = (pr[i] - cr) * (pr[i] - cr) + (pg[i] - cg) * (pg[i] - cg) + (pb[i] - cb) * (pb[i] -
							cb);
						if (d < bestD) {
							bestD = d;
							best = i;
						}
					}
					return best;
				});
				raster.setSample(x, y, 0, idx);
			}
		return out;
	}

	private static IIOMetadataNode child(final IIOMetadataNode parent, final String name) {
		for (int i = 0; i < parent.getLength(); i++)
			if (parent.item(i).getNodeName().equalsIgnoreCase(name)) return (IIOMetadataNode) parent.item(i);
		final IIOMetadataNode n = new IIOMetadataNode(name);
		parent.appendChild(n);
		return n;
	}
}
