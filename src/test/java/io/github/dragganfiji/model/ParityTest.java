package io.github.dragganfiji.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import com.google.gson.JsonObject;

import io.github.dragganfiji.runtime.PyTorch;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/**
 * Java (DJL, libtorch 2.7.1) against Python (torch 1.13) on the same TorchScript file: mapping, head features,
 * image and the gradient of a fixed scalar loss with respect to ws, all to a relative error of at most 1e-4.
 */
class ParityTest {

	private static final double TOLERANCE = 1e-4;

	@Test
	void javaMatchesPython() throws IOException {
		final JsonObject fx = TestBundles.readJson(TestBundles.PARITY);
		try (Generator g = GeneratorBundle.load(TestBundles.TINY, Device.cpu());
			NDManager m = g.manager().newSubManager())
		{
			final NDArray z = m.create(TestBundles.floats(fx, "z"), new Shape(1, 32));
			final NDArray ws = g.mapping(z, fx.get("psi").getAsFloat());
			assertClose("ws", TestBundles.floats(fx, "ws"), ws);
			assertClose("w_avg", TestBundles.floats(fx, "w_avg"), g.wAvg(m));

			// The gradient starts from Python's ws so that it tests the synthesis path alone.
			final NDArray wsIn = m.create(TestBundles.floats(fx, "ws"), ws.getShape());
			wsIn.setRequiresGradient(true);
			final float loss;
			try (GradientCollector gc = PyTorch.gradients()) {
				final Generator.Head head = g.head(wsIn, true);
				final NDArray img = g.synthesis(wsIn, true);
				assertClose("features", TestBundles.floats(fx, "feat"), head.features());
				assertClose("image", TestBundles.floats(fx, "image"), img);
				final NDArray l = head.features().square().mean().add(img.square().mean());
				loss = l.getFloat();
				gc.backward(l);
			}
			assertEquals(fx.get("loss").getAsDouble(), loss, TOLERANCE * Math.abs(loss), "loss");
			final NDArray grad = wsIn.getGradient();
			assertTrue(grad.abs().sum().getFloat() > 0, "gradient is not zero");
			assertClose("grad ws", TestBundles.floats(fx, "grad_ws"), grad);
		}
	}

	/** Relative L2 error ||a - b|| / ||b|| at most {@link #TOLERANCE}, and the same element count. */
	static void assertClose(final String what, final float[] expected, final NDArray actual) {
		final float[] got = actual.toFloatArray();
		assertEquals(expected.length, got.length, what + ": element count");
		double diff = 0, norm = 0;
		for (int i = 0; i < got.length; i++) {
			diff += (got[i] - expected[i]) * (double) (got[i] - expected[i]);
			norm += expected[i] * (double) expected[i];
		}
		final double rel = Math.sqrt(diff / norm);
		System.out.printf("parity %-9s rel. error %.2e over %d values%n", what, rel, got.length);
		assertTrue(rel <= TOLERANCE, what + ": relative error " + rel + " > " + TOLERANCE);
	}
}
