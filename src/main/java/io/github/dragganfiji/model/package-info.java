/**
 * Generator bundles and the runtime: loading and validating a bundle ({@link io.github.dragganfiji.model.GeneratorBundle},
 * {@link io.github.dragganfiji.model.ModelMetadata}), the loaded {@link io.github.dragganfiji.model.Generator}
 * ({@code latentOf}, {@code imageOf}, {@code head}/{@code tail}), the model search path
 * ({@link io.github.dragganfiji.model.ModelSearchPath}, folders given by the front end), one generator at a time
 * ({@link io.github.dragganfiji.model.GeneratorCache#use}), starting DJL and choosing the device
 * ({@link io.github.dragganfiji.model.DjlRuntime}), and the one class that reaches into DJL's PyTorch engine
 * ({@link io.github.dragganfiji.model.PyTorch}) with the optimizer step shared by every optimization
 * ({@link io.github.dragganfiji.model.Adam}), and the guard that keeps the JVM from exiting mid-step
 * ({@link io.github.dragganfiji.model.ShutdownGuard}). No ImageJ here.
 */
package io.github.dragganfiji.model;
