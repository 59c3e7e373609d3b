package io.github.dragganfiji.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Percentile fitting, both directions, clipping, and the text form. */
class IntensityMappingTest {

	@Test
	void mapsPercentileToPercentileAndBack() {
		// source: 16-bit-like values 100..3100; model: -1..0.5
		final float[] src = new float[1001], model = new float[1001];
		for (int i = 0; i <= 1000; i++) {
			src[i] = 100 + 3 * i;
			model[i] = -1 + 1.5f * i / 1000;
		}
		final IntensityMapping m = IntensityMapping.fit(src, model, 1);
		assertEquals(100 + 3 * 10, m.srcLow()[0], 1e-6); // 1st percentile
		assertEquals(100 + 3 * 995, m.srcHigh()[0], 1e-6); // 99.5th
		assertEquals(-1 + 1.5 * 0.01, m.dstLow()[0], 1e-6);
		assertEquals(m.dstHigh()[0], m.toModel(0, m.srcHigh()[0], -1, 1), 1e-6);
		for (final double v : new double[] { 130, 1000, 2500 })
			assertEquals(v, m.toSource(0, m.toModel(0, v, -1, 1)), 1e-3);
		assertEquals(1f, m.toModel(0, 1e9, -1, 1), 0f, "clipped to the output range");
		final IntensityMapping back = IntensityMapping.decode(m.encode());
		assertEquals(m.toModel(0, 777, -1, 1), back.toModel(0, 777, -1, 1), 1e-6);
	}

	@Test
	void channelsAreFittedSeparately() {
		final float[] src = { 0, 10, 20, 1000, 2000, 3000 }; // channel 0: 0..20, channel 1: 1000..3000
		final float[] model = { -1, 0, 1, -1, 0, 1 };
		final IntensityMapping m = IntensityMapping.fit(src, model, 2);
		assertEquals(0f, m.toModel(0, 10, -1, 1), 1e-6);
		assertEquals(0f, m.toModel(1, 2000, -1, 1), 1e-6);
	}
}
