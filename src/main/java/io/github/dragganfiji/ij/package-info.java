/**
 * The ImageJ adapters: the plugins (Generate Image…, Drag…, Invert…, Models…: parameters in from a dialog or macro,
 * one use-case call, result out as images, overlays and tables), the conversion of ROIs into drag input
 * ({@link io.github.dragganfiji.ij.RoiConversion}), images to and from the model ({@link io.github.dragganfiji.ij.Rendering},
 * {@link io.github.dragganfiji.ij.InversionInput}, {@link io.github.dragganfiji.ij.LatentImage}), the result stack
 * ({@link io.github.dragganfiji.ij.DragResultStack}), the image properties that carry latents
 * ({@link io.github.dragganfiji.ij.ImageProperties}) and the plugin's model folders
 * ({@link io.github.dragganfiji.ij.FijiModels}). The interactive toolbar tool is
 * {@link io.github.dragganfiji.ij.DragTool} (mouse, keys, menu), with one image's live session in
 * {@code LiveDrag} (in-place pixels and overlay, undo, history, macro recording).
 */
package io.github.dragganfiji.ij;
