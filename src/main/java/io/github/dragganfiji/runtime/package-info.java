/**
 * DJL and the natives: starting the PyTorch engine once with its threads and device
 * ({@link io.github.dragganfiji.runtime.DjlRuntime}, {@link io.github.dragganfiji.runtime.DeviceChoice},
 * {@link io.github.dragganfiji.runtime.DeviceDecision}), which libtorch to load
 * ({@link io.github.dragganfiji.runtime.NativeLibrarySelector}), the only classes that reach into the engine's
 * internals ({@link io.github.dragganfiji.runtime.PyTorch}, {@link io.github.dragganfiji.runtime.LibtorchContext}),
 * the adaptive intra-op thread count ({@link io.github.dragganfiji.runtime.ThreadTuner}) and the guard that keeps
 * the JVM from exiting mid-step ({@link io.github.dragganfiji.runtime.ShutdownGuard}).
 * <p>
 * May import: nothing of this project.
 */
package io.github.dragganfiji.runtime;
