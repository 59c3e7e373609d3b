/**
 * The accuracy and speed harnesses, apart from the product as DJL keeps its benchmark: the drag suite
 * ({@link io.github.dragganfiji.eval.DragEval} over {@link io.github.dragganfiji.eval.EvalSuite}'s drags), the
 * inversion suite ({@link io.github.dragganfiji.eval.InvertEval}), real images dragged
 * ({@link io.github.dragganfiji.eval.RealImageEval}) and the per-step benchmark
 * ({@link io.github.dragganfiji.eval.Bench}). They run the use cases as a user's command would and measure.
 * <p>
 * May import: app, image, core, model, runtime. Never cli or ij.
 */
package io.github.dragganfiji.eval;
