package io.github.dragganfiji.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import io.github.dragganfiji.runtime.PyTorch;

import java.nio.file.Path;

/**
 * A loaded generator bundle: calls the TorchScript methods {@code mapping}, {@code w_avg}, {@code head},
 * {@code tail} and {@code synthesis} with autograd on or off. Outputs land in the manager of the first input.
 * Not thread-safe: use one generator from one thread at a time. Obtain one from {@link GeneratorBundle#load}.
 */
public final class Generator implements AutoCloseable {

	/** The TorchScript methods every bundle must export. */
	public static final String[] METHODS = { "mapping", "w_avg", "head", "tail", "synthesis" };

	private final Path dir;
	private final ModelMetadata metadata;
	private final Model model;
	private final Block block;

	/**
	 * The head's output: the feature block's output and the running image at that resolution.
	 *
	 * @param features [N, C, r, r]
	 * @param image [N, channels, r, r], what the tail continues from
	 */
	public record Head(NDArray features, NDArray image) {}

	Generator(final Path dir, final ModelMetadata metadata, final Model model, final Block block) {
		this.dir = dir;
		this.metadata = metadata;
		this.model = model;
		this.block = block;
	}

	/** The bundle folder. */
	public Path dir() {
		return dir;
	}

	/** The bundle's validated metadata. */
	public ModelMetadata metadata() {
		return metadata;
	}

	/** The device the weights live on; inputs must be there too. */
	public Device device() {
		return model.getNDManager().getDevice();
	}

	/** The manager that owns the weights; make per-use sub-managers from it. */
	public NDManager manager() {
		return model.getNDManager();
	}

	/**
	 * The latent of a seed, as every command makes it: z from {@link Seeds#z}, then the mapping (with the class for
	 * a conditional model; ignored by others), truncated by psi. [num_ws * w_dim], row-major.
	 */
	public float[] latentOf(final long seed, final double psi, final int label) {
		try (NDManager mm = manager().newSubManager()) {
			final NDArray z = mm.create(Seeds.z(seed, metadata.zDim()), new Shape(1, metadata.zDim()));
			return (metadata.cDim() > 0 ? mappingC(z, label, (float) psi) : mapping(z, (float) psi)).toFloatArray();
		}
	}

	/** The image of a latent [num_ws * w_dim]: [channels * res * res] in generator units (no gradient). */
	public float[] imageOf(final float[] ws) {
		try (NDManager mm = manager().newSubManager()) {
			return synthesis(mm.create(ws, new Shape(1, metadata.numWs(), metadata.wDim())), false).toFloatArray();
		}
	}

	/** z [N, z_dim] to ws [N, num_ws, w_dim], truncated by psi toward w_avg (no gradient). */
	public NDArray mapping(final NDArray z, final float psi) {
		final NDArray psiArray = z.getManager().create(psi);
		try {
			return call("mapping", false, z, psiArray).singletonOrThrow();
		}
		finally {
			psiArray.close();
		}
	}

	/** A conditional model's mapping: z [N, z_dim] and class index to ws, truncated by psi (no gradient). */
	public NDArray mappingC(final NDArray z, final int label, final float psi) {
		final int classes = metadata.cDim();
		if (label < 0 || label >= classes) throw new IllegalArgumentException("class " + label + " is outside 0.." +
			(classes - 1) + " of the model '" + metadata.name() + "'");
		final NDManager m = z.getManager();
		final float[] oneHot = new float[classes];
		oneHot[label] = 1;
		final NDArray c = m.create(oneHot, new Shape(1, classes)).repeat(0, z.getShape().get(0));
		final NDArray psiArray = m.create(psi);
		try {
			return call("mapping_c", false, z, c, psiArray).singletonOrThrow();
		}
		finally {
			psiArray.close();
			c.close();
		}
	}

	/** The tracked average w [w_dim], in the given manager. */
	public NDArray wAvg(final NDManager manager) {
		return call("w_avg", false, manager).singletonOrThrow();
	}

	/** w_avg in every W+ layer, [1, num_ws, w_dim], a new array in the given manager. */
	public NDArray averageLatent(final NDManager manager) {
		return wAvg(manager).reshape(1, 1, metadata.wDim()).repeat(1, metadata.numWs()).duplicate();
	}

	/** Synthesis blocks up to the feature block; with grad, the result keeps the graph back to ws. */
	public Head head(final NDArray ws, final boolean grad) {
		final NDList out = call("head", grad, ws);
		return new Head(out.get(0), out.get(1));
	}

	/** The remaining blocks from a head's output: the image [N, channels, R, R]. */
	public NDArray tail(final NDArray features, final NDArray image, final NDArray ws, final boolean grad) {
		return call("tail", grad, features, image, ws).singletonOrThrow();
	}

	/** The whole synthesis network: ws to the image [N, channels, R, R]. */
	public NDArray synthesis(final NDArray ws, final boolean grad) {
		return call("synthesis", grad, ws).singletonOrThrow();
	}

	private NDList call(final String method, final boolean grad, final NDArray... inputs) {
		return call(method, grad, inputs[0].getManager(), inputs);
	}

	/**
	 * Runs a TorchScript method. DJL selects the method by an extra input named {@code module_method:<name>}; with
	 * training=true the call runs with autograd (outside libtorch's inference mode).
	 */
	private NDList call(final String method, final boolean grad, final NDManager manager, final NDArray... inputs) {
		final NDArray marker = manager.create(0f);
		marker.setName("module_method:" + method);
		try {
			final NDList list = new NDList(inputs.length + 1);
			for (final NDArray a : inputs)
				list.add(a);
			list.add(marker);
			return block.forward(new ParameterStore(manager, false), list, grad);
		}
		finally {
			marker.close();
		}
	}

	/**
	 * The module's weights, sharing memory with it: changing them in place changes this generator (and only this
	 * instance: each load has its own copy).
	 */
	public java.util.List<NDArray> weights() {
		final java.util.List<NDArray> out = new java.util.ArrayList<>();
		for (final var p : block.getParameters().values())
			out.add(p.getArray());
		return out;
	}

	/** Lets gradients flow into the weights (pivotal tuning) or freezes them again (the default). */
	public void setTrainable(final boolean trainable) {
		block.freezeParameters(!trainable);
	}

	/** Writes the module, with its current weights, as a TorchScript file. */
	public void saveModule(final Path file) throws java.io.IOException {
		try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
			PyTorch.writeModule(block, out);
		}
	}

	/** The TorchScript module's method names. */
	String[] methodNames() {
		return PyTorch.methodNames(block);
	}

	@Override
	public void close() {
		model.close();
	}
}
