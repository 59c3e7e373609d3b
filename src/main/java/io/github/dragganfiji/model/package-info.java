/**
 * The generator bundle: its format and validation ({@link io.github.dragganfiji.model.GeneratorBundle},
 * {@link io.github.dragganfiji.model.ModelMetadata}, {@link io.github.dragganfiji.model.InvalidBundleException}), the
 * loaded {@link io.github.dragganfiji.model.Generator} ({@code latentOf}, {@code imageOf}, {@code head}/{@code tail}),
 * latents ({@link io.github.dragganfiji.model.Latent}, {@link io.github.dragganfiji.model.Seeds}), where bundles are
 * found ({@link io.github.dragganfiji.model.ModelSearchPath}), loaded generators lent one piece of work at a time
 * ({@link io.github.dragganfiji.model.GeneratorCache#use}) and the render check at load
 * ({@link io.github.dragganfiji.model.RenderCheck}).
 * <p>
 * May import: runtime. No ImageJ here.
 */
package io.github.dragganfiji.model;
