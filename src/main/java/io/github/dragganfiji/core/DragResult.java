package io.github.dragganfiji.core;

/**
 * How a drag ended.
 *
 * @param last the last step
 * @param updates how many optimizer updates were made
 * @param arrived whether every handle reached its target
 * @param cancelled whether the user stopped it
 */
public record DragResult(DragStep last, int updates, boolean arrived, boolean cancelled) {}
