#!/usr/bin/env bash
# new-cage.sh NAME [DIR] [--package PKG]  -- what `tools/bin/cages new` runs: creates a standalone cage project.
#
# The project (DIR, default ./NAME) has a pom whose parent is io.cages:cages-cage-parent, a bnd.bnd, a handler
# with a self-test, a unit test using the cages testing kit and a README; `mvn package` builds and tests it in
# any folder and writes target/NAME-0.1.0-SNAPSHOT.jar. The cage SDK (the parent, the API, the testing kit) must
# be in the local Maven repository: when it is not, this installs it from this repository first (offline when
# the dependencies are cached). Set CAGES_SDK_INSTALL=1 to reinstall it anyway (after changing the SDK).
# Expects JAVA_HOME to be a JDK 21+ (tools/bin/cages sets it).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

usage() {
  echo "usage: cages new NAME [DIR] [--package JAVA_PACKAGE]" >&2
  echo "  NAME: the cage name (lower-case letters, digits and '-', starting with a letter, at most 63)" >&2
  exit 2
}

name="" dir="" package=""
while [ $# -gt 0 ]; do
  case "$1" in
    --package) [ $# -ge 2 ] || usage; package="$2"; shift 2 ;;
    --package=*) package="${1#--package=}"; shift ;;
    -h|--help) usage ;;
    -*) echo "cages new: unknown option '$1'" >&2; usage ;;
    *) if [ -z "$name" ]; then name="$1"; elif [ -z "$dir" ]; then dir="$1"; else usage; fi; shift ;;
  esac
done
[ -n "$name" ] || usage

# The host's rule (HostConfig.isValidCageName): [a-z][a-z0-9-]{0,62}.
if ! [[ "$name" =~ ^[a-z][a-z0-9-]{0,62}$ ]]; then
  echo "cages new: '$name' is not a valid cage name: use lower-case letters, digits and '-', starting with a letter, at most 63 characters (e.g. orders, order-book)" >&2
  exit 2
fi

dir="${dir:-$name}"
if [ -e "$dir" ] && [ ! -d "$dir" ]; then
  echo "cages new: $dir exists and is not a folder; choose another DIR" >&2
  exit 1
fi
if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  echo "cages new: $dir is not empty; give a new or empty folder (cages new $name DIR)" >&2
  exit 1
fi

# order-book -> OrderBook (class), orderbook (package segment)
class=""
IFS='-' read -r -a parts <<< "$name"
for part in "${parts[@]}"; do
  [ -n "$part" ] && class="$class$(printf '%s' "${part:0:1}" | tr '[:lower:]' '[:upper:]')${part:1}"
done
class="${class}Cage"
segment="${name//-/}"
case " abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while true false null var record yield sealed permits " in
  *" $segment "*) segment="${segment}cage" ;;  # a Java keyword cannot be a package name
esac
package="${package:-com.example.$segment}"
if ! [[ "$package" =~ ^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$ ]]; then
  echo "cages new: '$package' is not a Java package name this tool accepts (lower-case segments separated by dots)" >&2
  exit 2
fi
group="${package%.*}"
[ "$group" != "$package" ] || group="$package"

version="$(sed -n 's:.*<cages.version>\(.*\)</cages.version>.*:\1:p' "$repo/cages/cage-parent/pom.xml" | head -1)"
[ -n "$version" ] || { echo "cages new: cannot read the cages version from $repo/cages/cage-parent/pom.xml" >&2; exit 1; }

local_repo="${MAVEN_LOCAL_REPOSITORY:-$HOME/.m2/repository}"
sdk_missing() {
  local path
  for path in cages-parent/$version/cages-parent-$version.pom \
              cages-cage-parent/$version/cages-cage-parent-$version.pom \
              cages-api/$version/cages-api-$version.jar \
              cages-host/$version/cages-host-$version.jar \
              cages-transport-http/$version/cages-transport-http-$version.jar \
              cages-testkit/$version/cages-testkit-$version.jar; do
    [ -f "$local_repo/io/cages/$path" ] || return 0
  done
  return 1
}

if [ "${CAGES_SDK_INSTALL:-0}" = 1 ] || sdk_missing; then
  command -v mvn >/dev/null || { echo "cages new: Maven (mvn) is not installed; it is needed to install the cage SDK and to build cages" >&2; exit 1; }
  echo "cages new: installing the cage SDK $version (cages-cage-parent, cages-api, cages-testkit) into $local_repo"
  sdk_modules=(-pl cages/cage-parent,tools/testkit -am -DskipTests)
  if ! (cd "$repo" && mvn -B -q -o install "${sdk_modules[@]}"); then
    echo "cages new: the offline install failed (a dependency is not cached yet); trying online"
    (cd "$repo" && mvn -B -q install "${sdk_modules[@]}")
  fi
fi

package_dir="${package//.//}"
mkdir -p "$dir/src/main/java/$package_dir" "$dir/src/test/java/$package_dir"

cat > "$dir/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <!-- The cage parent: Java 21, bnd with the shared cage instructions, the cages testing kit. -->
  <parent>
    <groupId>io.cages</groupId>
    <artifactId>cages-cage-parent</artifactId>
    <version>$version</version>
    <relativePath/>
  </parent>
  <groupId>$group</groupId>
  <artifactId>$name</artifactId>
  <version>0.1.0-SNAPSHOT</version>
  <name>$name</name>
  <description>The $name cage.</description>
</project>
EOF

cat > "$dir/bnd.bnd" <<EOF
# The cage's own manifest headers; everything else (symbolic name, imports, reproducible jar) comes from the
# cage parent, and Bundle-Version from the pom's <version>.
Cage-Name: $name
Cage-Handler: $package.$class
# Operations safe to repeat on another copy when an answer was lost.
Cage-Idempotent: hello
EOF

cat > "$dir/src/main/java/$package_dir/$class.java" <<EOF
package $package;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;

/**
 * The $name cage. Operations:
 * <ul>
 *   <li>{@code hello?name=Ada} answers {@code {"message":"Hello, Ada, from $name!","version":"..."}}</li>
 * </ul>
 */
public final class $class implements CageHandler {

    private volatile String version = "unknown";

    @Override
    public void start(CageContext context) {
        version = context.version();
    }

    /** Runs before this version takes traffic; throwing keeps the previous version serving. */
    @Override
    public void selfTest() throws Exception {
        if (!hello("self-test").get("message").toString().contains("self-test")) {
            throw new IllegalStateException("hello does not answer");
        }
    }

    @Override
    public Response handle(Request request) throws Exception {
        return switch (request.operation()) {
            case "hello" -> Response.of(hello(request.param("name") == null ? "world" : request.param("name")));
            default -> throw CageException.notFound("cage '$name' has no operation '" + request.operation() + "' (it has hello)");
        };
    }

    private Map<String, Object> hello(String name) {
        return Map.of("message", "Hello, " + name + ", from $name!", "version", version);
    }
}
EOF

cat > "$dir/src/test/java/$package_dir/${class}Test.java" <<EOF
package $package;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.testkit.CageHost;
import io.cages.testkit.CageTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the cage on a real host (Felix, HTTP on a free port), built from this project. */
@CageTest
class ${class}Test {

    @Test
    void saysHello(CageHost host) throws Exception {
        assertEquals("Hello, Ada, from $name!", host.call("hello", Map.of("name", "Ada")).path("message").asText());
        assertEquals("Hello, world, from $name!", host.callOverHttp("hello", Map.of()).path("message").asText());
    }

    @Test
    void unknownOperationsAreNotFound(CageHost host) {
        CageException failure = assertThrows(CageException.class, () -> host.call("nope", Map.of()));
        assertEquals(ErrorCode.NOT_FOUND, failure.code());
    }

    @Test
    void aNewBuildSwapsInLive(CageHost host) throws Exception {
        String version = host.swap().version();
        assertEquals(version, host.call("hello", Map.of()).path("version").asText());
    }
}
EOF

cat > "$dir/.gitignore" <<EOF
target/
EOF

cat > "$dir/README.md" <<EOF
# $name

A cage for cages hosts, made with \`cages new $name\`.

- \`bnd.bnd\`: the cage's name and handler class (\`Cage-Name\`, \`Cage-Handler\`, optionally \`Cage-Idempotent\`,
  \`Cage-Non-Blocking\`); the rest comes from the parent, \`io.cages:cages-cage-parent:$version\`.
- \`src/main/java/$package_dir/$class.java\`: the handler, with a self-test the host runs before the cage takes traffic.
- \`src/test/java/$package_dir/${class}Test.java\`: tests with the cages testing kit (\`@CageTest\`): a real host
  runs the cage built from this project; \`CageHost\` calls it in-process or over HTTP, swaps in a new build,
  writes configs and deploys stub cages.

## Build and test

Needs a JDK 21 or newer (\`JAVA_HOME\`) and Maven; the cage SDK must be in the local Maven repository
(\`cages new\` installed it).

    mvn package          # compiles, runs the tests on a real host, writes target/$name-0.1.0-SNAPSHOT.jar

## Deploy and call

    cagectl deploy target/$name-0.1.0-SNAPSHOT.jar                  # or copy the jar into the host's deploy folder
    curl 'http://127.0.0.1:8080/$name/hello?name=Ada'
EOF

echo "cages new: created cage '$name' in $dir (handler $package.$class)"
echo "cages new: next: cd $dir && mvn package   (JDK 21+ in JAVA_HOME; the jar is target/$name-0.1.0-SNAPSHOT.jar)"
