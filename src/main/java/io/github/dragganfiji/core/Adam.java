package io.github.dragganfiji.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import io.github.dragganfiji.runtime.PyTorch;

import java.util.ArrayList;
import java.util.List;

/**
 * The optimizer step shared by the drag, the projection and pivotal tuning: Adam exactly as {@code torch.optim.Adam}
 * (betas 0.9, 0.999; eps 1e-8) on arrays that received gradients in a {@link PyTorch#gradients()} collector. Each
 * step updates every parameter in place and clears its gradient for the next backward pass.
 */
public final class Adam {

	private static final double B1 = 0.9, B2 = 0.999, EPS = 1e-8;

	private final double lr;
	private final List<NDArray> params;
	private final List<NDArray> m = new ArrayList<>();
	private final List<NDArray> v = new ArrayList<>();
	/** The constant factors, made once: a scalar made per operation would be one more array per step each. */
	private final NDArray b1, c1, b2, c2, eps;
	private int t;

	/** Moment arrays are created in each parameter's manager (the constants in the first one's). */
	public Adam(final List<NDArray> params, final double lr) {
		this.lr = lr;
		this.params = List.copyOf(params);
		for (final NDArray p : this.params) {
			m.add(p.zerosLike());
			v.add(p.zerosLike());
		}
		final NDManager home = this.params.get(0).getManager();
		b1 = home.create((float) B1);
		c1 = home.create((float) (1 - B1));
		b2 = home.create((float) B2);
		c2 = home.create((float) (1 - B2));
		eps = home.create((float) EPS);
	}

	/** Adam on one array. */
	public Adam(final NDArray param, final double lr) {
		this(List.of(param), lr);
	}

	/** One step at the constructor's learning rate. */
	public void step() {
		step(lr);
	}

	/**
	 * One step at this step's learning rate (for schedules): param -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t)
	 * + eps) for every parameter, then its gradient is zeroed. Call with grad mode off (outside the collector).
	 */
	public void step(final double stepLr) {
		t++;
		final double bc1 = 1 - Math.pow(B1, t), bc2 = 1 - Math.pow(B2, t);
		for (int k = 0; k < params.size(); k++) {
			final NDArray param = params.get(k), mk = m.get(k), vk = v.get(k);
			final NDArray grad = param.getGradient();
			try (NDManager tmp = grad.getManager().newSubManager()) {
				tmp.tempAttachAll(param, mk, vk, grad);
				// In place where the arrays are ours (the gradient is discarded after the step): the same arithmetic
				// as torch.optim.Adam with fewer temporary arrays, i.e. less Java garbage per step.
				final NDArray g2 = grad.square();
				mk.muli(b1).addi(grad.muli(c1));
				vk.muli(b2).addi(g2.muli(c2));
				final NDArray denom = vk.sqrt().divi((float) Math.sqrt(bc2)).addi(eps);
				param.subi(mk.div(denom).muli((float) (stepLr / bc1)));
			}
			finally {
				grad.close();
			}
			PyTorch.zeroGrad(param);
		}
	}
}
