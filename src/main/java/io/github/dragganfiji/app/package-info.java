/**
 * The use cases, with plain inputs and results, shared by every front end (the Fiji plugins, the command line, the
 * harnesses): {@link io.github.dragganfiji.app.GenerateUseCase} (seed, class, psi to latent and image),
 * {@link io.github.dragganfiji.app.DragUseCase} (a latent, handles, targets and a movable area through the drag loop)
 * and {@link io.github.dragganfiji.app.InvertUseCase} (project, tune, keep the better, save the tuned model). Each
 * request is checked once, in its constructor; each run takes listeners for progress and a cancel signal.
 * {@link io.github.dragganfiji.app.DragEditor} is the interactive editing session on top of the drag use case
 * (points, edits on a worker thread from the current latent, undo and redo of whole edits).
 */
package io.github.dragganfiji.app;
