package io.github.dragganfiji.ij;

import ij.Prefs;

import io.github.dragganfiji.app.RealImageOptions;

/**
 * What the dialogs remember between runs (ImageJ's preferences, IJ_Prefs.txt): the one owner of every
 * {@code draggan.*} key. A dialog reads its defaults here and writes its answers back after they were checked; the
 * answers themselves travel to the use case in the dialog's record, never through a preference.
 */
final class DialogMemory {

	/** The device choice every dialog shares (auto, cpu, gpu). */
	static final String DEVICE = "draggan.device";

	private DialogMemory() {}

	static String get(final String key, final String def) {
		return Prefs.get(key, def);
	}

	static double get(final String key, final double def) {
		return Prefs.get(key, def);
	}

	static boolean get(final String key, final boolean def) {
		return Prefs.get(key, def);
	}

	static void set(final String key, final String value) {
		Prefs.set(key, value);
	}

	static void set(final String key, final double value) {
		Prefs.set(key, value);
	}

	static void set(final String key, final int value) {
		Prefs.set(key, value);
	}

	static void set(final String key, final boolean value) {
		Prefs.set(key, value);
	}

	/** Writes the preferences file now (a Models... folder must survive a crash of Fiji). */
	static void save() {
		Prefs.savePreferences();
	}

	/** The device last chosen, "auto" before. */
	static String device() {
		return get(DEVICE, "auto");
	}

	/** The real-image options as the Drag dialog last left them (its defaults before) at this resolution. */
	static RealImageOptions realImage(final int resolution) {
		final RealImageOptions d = RealImageOptions.defaults(resolution);
		final double region = get(regionKey(resolution), d.regionRadius());
		// A damaged preference (edited by hand) falls back to the default radius.
		return new RealImageOptions(get(PASTE_BACK, d.pasteBack()), region >= 1 && region <= resolution ? region : d
			.regionRadius(), get(REGION_AS_MASK, d.regionAsMask()));
	}

	/** Remembers the Drag dialog's real-image answers for this resolution. */
	static void realImage(final int resolution, final RealImageOptions r) {
		set(PASTE_BACK, r.pasteBack());
		set(regionKey(resolution), r.regionRadius());
		set(REGION_AS_MASK, r.regionAsMask());
	}

	private static final String PASTE_BACK = "draggan.drag.pasteBack";
	private static final String REGION_AS_MASK = "draggan.drag.regionAsMask";

	private static String regionKey(final int resolution) {
		return "draggan.drag.region." + resolution;
	}
}
