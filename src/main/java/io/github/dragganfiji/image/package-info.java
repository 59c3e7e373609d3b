/**
 * ImageJ images in and out, shared by the command line and the plugins: an image with its model and latent
 * ({@link io.github.dragganfiji.image.LatentImage}, the properties that carry them,
 * {@link io.github.dragganfiji.image.ImageProperties}), generator output to ImageJ pixels and back
 * ({@link io.github.dragganfiji.image.Rendering}, {@link io.github.dragganfiji.image.InversionInput}), the result
 * stack of a drag ({@link io.github.dragganfiji.image.DragResultStack} with its
 * {@link io.github.dragganfiji.image.EditOverlay}) and the files a command reads and writes
 * ({@link io.github.dragganfiji.image.Inputs}, {@link io.github.dragganfiji.image.Outputs}: atomic, never over an
 * input), and the images of a training set ({@link io.github.dragganfiji.image.DatasetImages}).
 * <p>
 * May import: app, core, model, runtime. Never cli, ij or eval.
 */
package io.github.dragganfiji.image;
