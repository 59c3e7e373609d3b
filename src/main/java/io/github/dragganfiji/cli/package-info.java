/**
 * The command line ({@code ./draggan COMMAND}): {@link io.github.dragganfiji.cli.Main} only dispatches; each
 * {@code *Command} turns its options into one use case's request (or one harness's call) and prints the result;
 * {@link io.github.dragganfiji.cli.Launch} starts the runtime with --device and --threads and turns a failure into
 * one sentence and an exit code.
 * <p>
 * May import: app, eval, image, core, model, runtime. Never ij (the plugins are another front end beside this one).
 */
package io.github.dragganfiji.cli;
