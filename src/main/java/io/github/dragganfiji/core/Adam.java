package io.github.dragganfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Adam exactly as {@code torch.optim.Adam} (betas 0.9, 0.999; eps 1e-8), updating one array in place. */
final class Adam {

	private static final double B1 = 0.9, B2 = 0.999, EPS = 1e-8;

	private final double lr;
	private final NDArray m;
	private final NDArray v;
	private int t;

	/** Moment arrays are created in the parameter's manager. */
	Adam(final NDArray param, final double lr) {
		this.lr = lr;
		m = param.zerosLike();
		v = param.zerosLike();
	}

	/** One step: param -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). Call with grad mode off. */
	void step(final NDArray param, final NDArray grad) {
		step(param, grad, lr);
	}

	/** One step with this step's learning rate (for schedules). */
	void step(final NDArray param, final NDArray grad, final double lr) {
		t++;
		try (NDManager tmp = grad.getManager().newSubManager()) {
			tmp.tempAttachAll(param, m, v, grad);
			m.muli((float) B1).addi(grad.mul((float) (1 - B1)));
			v.muli((float) B2).addi(grad.square().mul((float) (1 - B2)));
			final double bc1 = 1 - Math.pow(B1, t);
			final double bc2 = 1 - Math.pow(B2, t);
			final NDArray denom = v.sqrt().div((float) Math.sqrt(bc2)).add((float) EPS);
			param.subi(m.div(denom).mul((float) (lr / bc1)));
		}
	}
}
