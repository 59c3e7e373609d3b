#!/usr/bin/env bash
# Installs DragGAN for Fiji into an existing Fiji.app:
#   tools/install-fiji.sh /path/to/Fiji.app
# The plugin jar goes to plugins/, its dependencies (DJL, the CPU libtorch natives) to jars/ and jars/linux64/
# (pom-scijava's populate-app, i.e. `mvn install -Dscijava.app.directory=...`), and the sample models to
# models/draggan/, where Plugins > DragGAN finds them. Restart Fiji afterwards.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fiji="${1:?usage: tools/install-fiji.sh /path/to/Fiji.app}"
[ -d "$fiji" ] || { echo "No such folder: $fiji" >&2; exit 2; }
fiji="$(cd "$fiji" && pwd)"
[ -d "$fiji/jars" ] || { echo "$fiji does not look like Fiji.app (no jars/ folder)" >&2; exit 2; }
(cd "$here" && mvn -B -q install -DskipTests -Dscijava.app.directory="$fiji")
mkdir -p "$fiji/models/draggan"
if compgen -G "$here/sample-models/*/model.json" >/dev/null; then
	for m in "$here"/sample-models/*/; do
		if [ -f "$m/model.json" ]; then
			cp -r "$m" "$fiji/models/draggan/"
			# Training-only: the discriminator a later training run goes on with (tools/README.md).
			rm -f "$fiji/models/draggan/$(basename "$m")/discriminator.pt"
		fi
	done
fi
echo "Installed into $fiji: plugins/$(cd "$fiji/plugins" && ls DragGAN_Fiji-*.jar), models in models/draggan/"
