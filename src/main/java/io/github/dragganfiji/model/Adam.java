package io.github.dragganfiji.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

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
	private int t;

	/** Moment arrays are created in each parameter's manager. */
	public Adam(final List<NDArray> params, final double lr) {
		this.lr = lr;
		this.params = List.copyOf(params);
		for (final NDArray p : this.params) {
			m.add(p.zerosLike());
			v.add(p.zerosLike());
		}
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
				mk.muli((float) B1).addi(grad.mul((float) (1 - B1)));
				vk.muli((float) B2).addi(grad.square().mul((float) (1 - B2)));
				final NDArray denom = vk.sqrt().div((float) Math.sqrt(bc2)).add((float) EPS);
				param.subi(mk.div(denom).mul((float) (stepLr / bc1)));
			}
			finally {
				grad.close();
			}
			PyTorch.zeroGrad(param);
		}
	}
}
