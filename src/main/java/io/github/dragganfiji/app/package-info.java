/**
 * The use cases, with plain inputs and results, shared by every front end (the Fiji plugins, the command line, the
 * harnesses), and the rules they share: {@link io.github.dragganfiji.app.GenerateUseCase} (seed, class, psi to latent
 * and image), {@link io.github.dragganfiji.app.DragUseCase} (a latent, handles, targets and a movable area through
 * the drag loop; the real-image rule with {@link io.github.dragganfiji.app.RealImageOptions}; the outcome in words),
 * {@link io.github.dragganfiji.app.InvertUseCase} (project, tune, keep the better, save the tuned model) and
 * {@link io.github.dragganfiji.app.ConvertUseCase} (a StyleGAN2 checkpoint to a bundle through the Python
 * converter). Each request is checked once, in its constructor; each run takes listeners for progress and a cancel
 * signal. {@link io.github.dragganfiji.app.DragEditor} is the interactive editing session on top of the drag use case
 * (points, edits on a worker thread from the current latent, undo and redo of whole edits).
 * <p>
 * May import: core, model, runtime. No ImageJ here.
 */
package io.github.dragganfiji.app;
