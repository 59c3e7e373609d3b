package io.github.dragganfiji.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Prefs;
import ij.io.FileSaver;
import ij.process.ByteProcessor;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What of an image's metadata survives {@link FileSaver} TIFF and
 * {@link IJ#openImage(String)} in ImageJ 1.54p (headless).
 * <p>
 * Findings: string properties ({@code setProp}), the "Info" property and slice
 * labels are stored as UTF-16 in ImageJ's private TIFF tags (MetaData,
 * MetaDataByteCounts) with 32-bit byte counts: no length limit in practice
 * (1,000,000-character labels round-trip; labels are only shortened for
 * display by {@code getShortSliceLabel}, to 60 characters), and newlines,
 * CR/LF, tabs, '=' and ':' survive. Losses: every {@code setProperty}
 * key other than "Info" (strings too); empty property values (setProp removes the key); a single image's
 * stack slice label when the image also has properties (use the
 * "Slice_Label" property instead); and, with the default little-endian byte
 * order, characters at or above U+0100 whose low byte is below 0x80 (a
 * decoding bug in {@code TiffDecoder}).
 */
class TiffMetadataTest {

	@TempDir
	Path dir;

	/** {@code n} characters of multi-line ASCII/Latin-1 text. */
	static String text(final int n) {
		final StringBuilder sb = new StringBuilder(n + 64);
		for (int i = 0; sb.length() < n; i++) {
			sb.append("line ").append(i).append(": key=value\tä ö ü ß é ÿ");
			sb.append(i % 2 == 0 ? "\n" : "\r\n");
		}
		return sb.substring(0, n);
	}

	private String path(final String name) {
		return dir.resolve(name).toString();
	}

	@Test
	void stackPropertiesInfoAndLongSliceLabelsSurvive() {
		final String longLabel = text(40_000);
		final String longValue = text(40_000);
		final String info = "Info line 1\nfoo: bar\n" + text(5_000);

		final ImageStack stack = new ImageStack(5, 4);
		stack.addSlice(longLabel, new ByteProcessor(5, 4));
		stack.addSlice("short label", new ByteProcessor(5, 4));
		stack.addSlice(null, new ByteProcessor(5, 4));
		final ImagePlus imp = new ImagePlus("stack", stack);
		imp.setProp("draggan.seed", 42);
		imp.setProp("draggan.psi", 0.7);
		imp.setProp("draggan.json", "{\"points\": [[1, 2], [3, 4]],\n \"w\": \"...\"}");
		imp.setProp("draggan.long", longValue);
		imp.setProp("draggan.empty", ""); // "" removes the key
		imp.setProperty("Info", info);
		imp.setProperty("draggan.object", new int[] { 1, 2 }); // setProperty: only "Info" is saved
		imp.setProperty("draggan.string", "via setProperty, not setProp");
		assertTrue(new FileSaver(imp).saveAsTiffStack(path("stack.tif")));

		final ImagePlus back = IJ.openImage(path("stack.tif"));
		assertEquals(3, back.getStackSize());
		assertEquals(longLabel, back.getStack().getSliceLabel(1));
		assertEquals("short label", back.getStack().getSliceLabel(2));
		assertNull(back.getStack().getSliceLabel(3));
		// only the display form is shortened (first line, at most 60 characters)
		assertEquals("line 0: key=value\tä ö ü ß é ÿ", back.getStack().getShortSliceLabel(1));
		assertEquals("42", back.getProp("draggan.seed"));
		assertEquals(0.7, back.getNumericProp("draggan.psi"));
		assertEquals("{\"points\": [[1, 2], [3, 4]],\n \"w\": \"...\"}", back.getProp("draggan.json"));
		assertEquals(longValue, back.getProp("draggan.long"));
		assertNull(back.getProp("draggan.empty"));
		assertEquals(info, back.getInfoProperty());
		assertEquals("bar", back.getStringProperty("foo")); // "key: value" lookup in Info
		assertNull(back.getProperty("draggan.object"));
		assertNull(back.getProperty("draggan.string"));
		assertNull(back.getProp("draggan.string"));
		assertEquals(4 * 2, back.getPropertiesAsArray().length); // key, value, key, value, ...
	}

	@Test
	void millionCharacterLabelAndPropertySurvive() {
		final String huge = text(1_000_000);
		final ImageStack stack = new ImageStack(2, 2);
		stack.addSlice(huge, new ByteProcessor(2, 2));
		stack.addSlice(huge, new ByteProcessor(2, 2));
		final ImagePlus imp = new ImagePlus("huge", stack);
		imp.setProp("huge", huge);
		assertTrue(new FileSaver(imp).saveAsTiff(path("huge.tif"))); // stacks: saveAsTiff = saveAsTiffStack

		final ImagePlus back = IJ.openImage(path("huge.tif"));
		assertEquals(huge, back.getStack().getSliceLabel(1));
		assertEquals(huge, back.getStack().getSliceLabel(2));
		assertEquals(huge, back.getProp("huge"));
	}

	@Test
	void singleImageKeepsSliceLabelPropertyAndInfo() {
		final String label = "first line\nsecond line\n" + text(40_000);
		final ImagePlus imp = new ImagePlus("single", new ByteProcessor(3, 3));
		imp.setProp("Slice_Label", label); // how a single image carries its label
		imp.setProp("draggan.seed", 7);
		imp.setProperty("Info", "a: 1\nb: 2");
		assertTrue(new FileSaver(imp).saveAsTiff(path("single.tif")));

		final ImagePlus back = IJ.openImage(path("single.tif"));
		assertEquals(label, back.getProp("Slice_Label"));
		assertEquals(label, back.getStack().getSliceLabel(1));
		assertEquals("7", back.getProp("draggan.seed"));
		assertEquals("a: 1\nb: 2", back.getInfoProperty());
	}

	@Test
	void singleImageStackLabelIsLostWhenTheImageAlsoHasProperties() {
		final String label = "label\nwith newline";

		// label alone: written as the TIFF slice label, read back as "Slice_Label"
		final ImagePlus alone = new ImagePlus("alone", new ByteProcessor(3, 3));
		alone.getStack().setSliceLabel(label, 1);
		assertTrue(new FileSaver(alone).saveAsTiff(path("alone.tif")));
		assertEquals(label, IJ.openImage(path("alone.tif")).getProp("Slice_Label"));

		// label + any setProp: FileOpener sets "Slice_Label", then replaces all
		// string properties with the saved ones, which do not include it
		final ImagePlus both = new ImagePlus("both", new ByteProcessor(3, 3));
		both.getStack().setSliceLabel(label, 1);
		both.setProp("k", "v");
		assertTrue(new FileSaver(both).saveAsTiff(path("both.tif")));
		final ImagePlus back = IJ.openImage(path("both.tif"));
		assertEquals("v", back.getProp("k"));
		assertNull(back.getProp("Slice_Label"));
		assertNotEquals(label, back.getStack().getSliceLabel(1));
	}

	@Test
	void charactersAboveLatin1AreMangledInDefaultLittleEndianTiffs() {
		final String unicode = "A\u4e2d\u00e4\u20ac\u0141\u00ff\u0100\u3042Z";
		// TiffDecoder (little-endian) computes b0 & (255 + (b1 << 8)) instead of
		// (b0 & 255) + (b1 << 8): the high byte is lost unless the low byte >= 0x80
		final String mangled = "A\u002d\u00e4\u20ac\u0041\u00ff\u0000\u0042Z";
		final boolean saved = Prefs.intelByteOrder; // ImageJ's default: true (little-endian)
		try {
			Prefs.intelByteOrder = true;
			assertArrayEquals(mangled.toCharArray(), roundTrip(unicode, "le.tif").toCharArray());

			Prefs.intelByteOrder = false; // big-endian TIFFs keep every UTF-16 character
			assertEquals(unicode, roundTrip(unicode, "be.tif"));
		}
		finally {
			Prefs.intelByteOrder = saved;
		}
	}

	/** Saves {@code s} as label, property and Info; checks all three agree. */
	private String roundTrip(final String s, final String name) {
		final ImageStack stack = new ImageStack(2, 2);
		stack.addSlice(s, new ByteProcessor(2, 2));
		stack.addSlice(s, new ByteProcessor(2, 2));
		final ImagePlus imp = new ImagePlus(name, stack);
		imp.setProp("s", s);
		imp.setProperty("Info", s);
		assertTrue(new FileSaver(imp).saveAsTiffStack(path(name)));
		final ImagePlus back = IJ.openImage(path(name));
		final String label = back.getStack().getSliceLabel(1);
		assertEquals(label, back.getProp("s"));
		assertEquals(label, back.getInfoProperty());
		return label;
	}
}
