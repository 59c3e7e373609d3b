/**
 * The command line ({@code ./draggan COMMAND}): one class per command builds a use case's input straight from numbers
 * and files and writes its results (TIFF, GIF, PNG, text) atomically; {@link io.github.dragganfiji.cli.Main}
 * dispatches and turns failures into one sentence and an exit code. It uses ImageJ only to read and write images.
 */
package io.github.dragganfiji.cli;
