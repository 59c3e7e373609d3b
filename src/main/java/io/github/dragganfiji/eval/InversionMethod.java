package io.github.dragganfiji.eval;

import io.github.dragganfiji.core.PivotalTuner;
import io.github.dragganfiji.core.Projector;

import java.util.Locale;

/**
 * An inversion method of the real-image harnesses, by name: SPACE[+pti[+local]], SPACE {@code w} (one w for every
 * layer) or {@code wplus} (W+); {@code pti} adds pivotal tuning, {@code local} PTI's locality term. E.g. "w+pti" is
 * PTI's recipe (a W pivot, then tuning), "wplus+pti" a W+ projection then tuning.
 *
 * @param name its label in the tables
 * @param projection the projection
 * @param tuning pivotal tuning, or null for none
 */
public record InversionMethod(String name, Projector.Options projection, PivotalTuner.Options tuning) {

	/** A method from its name, with the projection and tuning steps given (one start). */
	public static InversionMethod parse(final String name, final int steps, final int tuneSteps) {
		final String[] parts = name.trim().toLowerCase(Locale.ROOT).split("\\+");
		final Projector.Space space = Projector.Space.parse(parts[0]);
		final Projector.Options d = Projector.Options.defaults();
		final Projector.Options p = new Projector.Options(steps, d.learningRate(), d.msssimWeight()).withStarts(1)
			.withSpace(space);
		final PivotalTuner.Options td = PivotalTuner.Options.defaults();
		PivotalTuner.Options t = null;
		for (int i = 1; i < parts.length; i++) {
			switch (parts[i]) {
				case "pti" -> t = new PivotalTuner.Options(tuneSteps, td.learningRate(), td.msssimWeight());
				case "local" -> {
					if (t == null) throw new IllegalArgumentException("'local' needs 'pti' before it: " + name);
					t = t.withLocality(RealImageEval.PTI_LOCALITY);
				}
				default -> throw new IllegalArgumentException("Unknown part '" + parts[i] + "' of the method '" + name +
					"': use SPACE[+pti[+local]], SPACE w or wplus.");
			}
		}
		return new InversionMethod(name.trim(), p, t);
	}
}
