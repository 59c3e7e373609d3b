package io.github.dragganfiji.core;

/** Receives each step of a drag, on the thread that runs it. */
@FunctionalInterface
public interface DragListener {

	void step(DragStep step);
}
