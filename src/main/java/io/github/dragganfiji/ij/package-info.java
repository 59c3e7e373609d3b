/**
 * The Fiji front end: the plugins (Generate Image…, Drag…, Invert…, Models…: a dialog or macro gives a record of every
 * answer, one use-case call, the result out as images, overlays and tables), the conversion of ROIs into drag input
 * ({@link io.github.dragganfiji.ij.RoiConversion}), the plugin's model folders
 * ({@link io.github.dragganfiji.ij.FijiModels}), what the dialogs remember between runs
 * ({@link io.github.dragganfiji.ij.DialogMemory}, the one owner of the preferences) and the interactive toolbar tool
 * {@link io.github.dragganfiji.ij.DragTool} with one image's live session in {@code LiveDrag}.
 * <p>
 * May import: app, image, core, model, runtime. Never cli or eval.
 */
package io.github.dragganfiji.ij;
