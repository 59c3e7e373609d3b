/**
 * {@code draggan batch} (issue #32): a table of jobs (CSV or JSON Lines) run as many edits in one JVM, later on Apache
 * Spark. {@link io.github.dragganfiji.batch.JobTable} reads and checks the table; a bad row becomes one sentence of
 * its own and never stops the other rows.
 * <p>
 * May import: cli, app, image, core, model, runtime (nothing imports batch: Spark stays out of the plugin).
 */
package io.github.dragganfiji.batch;
