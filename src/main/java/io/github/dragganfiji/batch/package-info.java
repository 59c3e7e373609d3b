/**
 * {@code draggan batch} (issue #32): a table of jobs (CSV or JSON Lines) run on Apache Spark, embedded in one JVM or
 * on a cluster. {@link io.github.dragganfiji.batch.JobTable} reads and checks the table (a bad row becomes one
 * sentence of its own and never stops the other rows); {@link io.github.dragganfiji.batch.JobRunner} runs one job
 * through the single-job commands into a temporary folder renamed once complete;
 * {@link io.github.dragganfiji.batch.BatchCommand} is the Spark driver and writes results.csv. Spark has provided
 * scope: {@code cli.Main} reaches this package by name only, and the plugin never loads it.
 * <p>
 * May import: cli, app, image, core, model, runtime (nothing imports batch: Spark stays out of the plugin).
 */
package io.github.dragganfiji.batch;
