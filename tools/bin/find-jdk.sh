#!/usr/bin/env bash
# find_jdk [MIN_MAJOR]  -- print the home directory of a JDK whose major version is >= MIN_MAJOR (default 21).
#
# Source this file, then:   java_home="$(find_jdk 21)" || { echo "no JDK 21+ found" >&2; exit 1; }
# Or run it directly:       tools/bin/find-jdk.sh 21
#
# Looks, in order, at: $JAVA_HOME; `java` on PATH; the newest JDK under /usr/lib/jvm (Linux) or
# /Library/Java/JavaVirtualMachines (macOS). The first two win when new enough, whatever else is installed.
# Prints nothing and returns 1 when nothing fits. Quiet: it never writes to stderr, never exits the caller's
# shell and leaves the caller's shell options (set -e/-u/-o pipefail) alone. Works with bash 3.2+.

# _find_jdk_probe JAVA_BINARY -- print "MAJOR HOME" for a java binary, or return 1.
# From the JDK's release file when there is one (_find_jdk_release); else the version comes from the `java -version` banner (`openjdk version "21.0.2"`, `java version "1.8.0_292"`,
# `openjdk version "25-ea"`); the home from the java.home property of the same run, so shims (sdkman, asdf,
# jenv, /usr/bin/java -> alternatives) resolve to the real JDK.
_find_jdk_probe() {
    local java="$1" output version major home line
    [ -n "$java" ] && [ -x "$java" ] && [ ! -d "$java" ] || return 1
    _find_jdk_release "$java" && return 0
    output="$("$java" -XshowSettings:properties -version 2>&1 < /dev/null)" || return 1
    version=""
    home=""
    while IFS= read -r line; do
        case "$line" in
            *' version "'*)
                if [ -z "$version" ]; then
                    version="${line#*version \"}"
                    version="${version%%\"*}"
                fi
                ;;
            *'java.home = '*)
                home="${line#*java.home = }"
                ;;
        esac
    done <<< "$output"
    [ -n "$version" ] || return 1
    case "$version" in
        1.*) major="${version#1.}" ;;    # 1.8.0_292 -> 8
        *)   major="$version" ;;
    esac
    major="${major%%[!0-9]*}"            # 21.0.2 -> 21, 25-ea -> 25
    [ -n "$major" ] || return 1
    if [ -z "$home" ]; then              # very old JDKs: derive from the binary's location
        home="$(cd "$(dirname "$java")/.." 2>/dev/null && pwd -P)" || return 1
    fi
    home="${home%/jre}"                  # JDK 8 reports .../jre
    [ -x "$home/bin/java" ] || return 1
    printf '%s %s\n' "$major" "$home"
}

# _find_jdk_release JAVA_BINARY -- print "MAJOR HOME" from the `release` file of the JDK the binary belongs to,
# without starting a JVM (a start costs 50-100 ms, and find_jdk may probe several) and with few forks: the
# binary is followed
# through symlinks (/usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/X/bin/java) to X/bin/java, and
# X/release says JAVA_VERSION="21.0.2". Returns 1 when there is no such file (a shim script, an odd layout);
# the caller then asks the binary itself.
_find_jdk_release() {
    local path="$1" target home version line
    while [ -L "$path" ]; do               # readlink -f is not on every macOS
        target="$(readlink "$path")" || return 1
        case "$target" in
            /*) path="$target" ;;
            *)  path="${path%/*}/$target" ;;
        esac
    done
    case "$path" in
        */bin/java) home="${path%/bin/java}" ;;
        *) return 1 ;;
    esac
    case "$home" in
        /*/..*|/*/./*|[!/]*) home="$(cd "$home" 2>/dev/null && pwd -P)" || return 1 ;;   # only then a fork
    esac
    [ -f "$home/release" ] && [ -x "$home/bin/java" ] || return 1
    version=""
    while IFS= read -r line; do
        case "$line" in
            JAVA_VERSION=*) version="${line#JAVA_VERSION=}"; version="${version//\"/}" ;;
        esac
    done < "$home/release"
    case "$version" in
        1.*) version="${version#1.}" ;;    # 1.8.0_292 -> 8.0_292
    esac
    version="${version%%[!0-9]*}"          # 21.0.2 -> 21, 25-ea -> 25
    [ -n "$version" ] || return 1
    printf '%s %s\n' "$version" "$home"
}

find_jdk() {
    local min="${1:-21}" probe major home candidate best_major best_home path_java
    case "$min" in ''|*[!0-9]*) return 2 ;; esac

    # 1. JAVA_HOME, when set and new enough
    if [ -n "${JAVA_HOME:-}" ]; then
        if probe="$(_find_jdk_probe "$JAVA_HOME/bin/java")"; then
            major="${probe%% *}"
            home="${probe#* }"
            if [ "$major" -ge "$min" ]; then
                printf '%s\n' "$home"
                return 0
            fi
        fi
    fi

    # 2. java on PATH
    path_java="$(command -v java 2>/dev/null || true)"
    if [ -n "$path_java" ]; then
        if probe="$(_find_jdk_probe "$path_java")"; then
            major="${probe%% *}"
            home="${probe#* }"
            if [ "$major" -ge "$min" ]; then
                printf '%s\n' "$home"
                return 0
            fi
        fi
    fi

    # 3. the newest installed JDK in the usual places
    best_major=0
    best_home=""
    for candidate in /usr/lib/jvm/*/bin/java /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
        [ -x "$candidate" ] || continue       # also skips the unexpanded glob when a directory is missing
        probe="$(_find_jdk_probe "$candidate")" || continue
        major="${probe%% *}"
        home="${probe#* }"
        if [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then
            best_major="$major"
            best_home="$home"
        fi
    done
    if [ -n "$best_home" ]; then
        printf '%s\n' "$best_home"
        return 0
    fi
    return 1
}

# cds_flags ARCHIVE FILE... -- print, one a line, the JVM flags (JDK 19+) that map classes from the dynamic
# class-data archive ARCHIVE, which the JVM writes at exit when it is missing. FILEs are what the archive was
# made from: the class path's jars and folders and the JDK's release file. The JVM refuses an archive made from
# other jars, but does not write a new one (JDK 25), so an archive older than any FILE is removed first; so is a
# file that is not such an archive (a dump cut off by a kill: its header is written last), which the JVM would
# take for a base archive, warn about at every start and never replace. Only `od` is forked, when it exists.
#
# An ARCHIVE named *.aot is a JDK 25+ AOT cache instead (JEP 483/514, for a long-running JVM such as the host):
# besides the classes it keeps them linked, with their resolved constants and lambdas, which a dynamic archive
# does not; the first run records what it loads and, at exit, starts a JVM that writes the cache (a few
# seconds, once). The caller picks the name by the JDK's version.
cds_flags() {
    local archive="$1"
    shift
    case "$archive" in
        *.aot)
            _drop_stale_archive "$archive" " f00baba2" "$@"
            if [ -f "$archive" ]; then
                printf '%s\n' "-XX:AOTCache=$archive" -Xlog:aot=off -Xlog:cds=off
            else
                printf '%s\n' "-XX:AOTCacheOutput=$archive" -Xlog:aot=off -Xlog:cds=off
            fi ;;
        *)
            _drop_stale_archive "$archive" " f00baba8" "$@"
            printf '%s\n' "-XX:SharedArchiveFile=$archive" -XX:+AutoCreateSharedArchive -Xlog:cds=off -Xlog:cds+dynamic=off ;;
    esac
}

# _drop_stale_archive ARCHIVE MAGIC FILE...: removes ARCHIVE when any FILE is newer, or when its first four bytes
# (as `od -An -tx4` prints them) are not MAGIC, which the JVM writes last: a dump cut off by a kill lacks it.
# An AOT cache's magic is 0xf00baba2, a dynamic class-data archive's 0xf00baba8.
_drop_stale_archive() {
    local archive="$1" magic="$2" file
    shift 2
    if [ -f "$archive" ]; then
        for file in "$@"; do
            if [ "$file" -nt "$archive" ]; then
                rm -f "$archive"
                break
            fi
        done
    fi
    if [ -f "$archive" ] && [ "$(od -An -tx4 -N4 "$archive" 2>/dev/null)" != "$magic" ]; then
        rm -f "$archive"
    fi
}

# jvm_options FILE -- print, one a line, the JVM flags in FILE: one flag per line (so a flag may hold spaces),
# blank lines and lines starting with '#' skipped, surrounding blanks trimmed. The host's configs/jvm.options is
# read with it by tools/bin/cages and by the archive's bin/cages-host. A missing FILE prints nothing.
jvm_options() {
    local line
    [ -f "$1" ] || return 0
    while IFS= read -r line || [ -n "$line" ]; do
        line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
        case "$line" in ''|'#'*) ;; *) printf '%s\n' "$line" ;; esac
    done < "$1"
}

# Run directly rather than sourced: behave like the function.
if [ "${BASH_SOURCE[0]:-}" = "$0" ]; then
    find_jdk "$@"
fi
