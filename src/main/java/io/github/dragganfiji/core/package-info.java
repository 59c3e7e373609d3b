/**
 * The algorithms, pure Java over DJL's API (nothing of ImageJ, nothing of DJL's PyTorch internals): the drag loop
 * ({@link io.github.dragganfiji.core.DragSession}: motion supervision, point tracking,
 * {@link io.github.dragganfiji.core.Adam} on W+) on a validated {@link io.github.dragganfiji.core.DragInput} in a
 * {@link io.github.dragganfiji.core.DragMode} (the paper's, or a robust one built from
 * {@link io.github.dragganfiji.core.LineTracker} and {@link io.github.dragganfiji.core.StallDetector}), the
 * verification of a drag in the image ({@link io.github.dragganfiji.core.DragVerification},
 * {@link io.github.dragganfiji.core.TemplateMatcher}), GAN inversion ({@link io.github.dragganfiji.core.Projector},
 * {@link io.github.dragganfiji.core.PivotalTuner}, {@link io.github.dragganfiji.core.ImageLoss},
 * {@link io.github.dragganfiji.core.IntensityMapping}) and paste-back ({@link io.github.dragganfiji.core.PasteBack}).
 * <p>
 * May import: model, runtime.
 */
package io.github.dragganfiji.core;
