/**
 * The cage API: everything a cage bundle sees of the host.
 *
 * <p>A cage is an OSGi bundle whose manifest names it ({@code Cage-Name}) and its handler class
 * ({@code Cage-Handler}). The host instantiates the handler with its public no-argument constructor, calls
 * {@link io.cages.api.CageHandler#start} with a {@link io.cages.api.CageContext}, optionally
 * {@link io.cages.api.CageHandler#selfTest}, and then routes requests to
 * {@link io.cages.api.CageHandler#handle} from any transport (HTTP today; RPC, JMS, timers and files later).
 *
 * <p>Cages call each other by name: {@code context.cage("billing").call("charge", params)} reaches the copy
 * on this host if there is one, else a copy on another host of the flock, within the caller's deadline. A
 * cage declares which of its operations are safe to repeat with the manifest header
 * {@code Cage-Idempotent: lookup, status}; only those are retried on another copy after a call was delivered
 * and its answer lost. Calls that provably never reached a copy are retried whatever the operation. The
 * header {@code Cage-Non-Blocking: greet} names operations that never wait, which the host may run without a
 * thread of their own (see {@link io.cages.api.CageHandler}).
 *
 * <p>Resources: {@code context.database("inventory")} and {@code context.queue("events")} reach the pooled
 * databases and brokers the host configures in {@code configs/resources.json}; {@code context.transaction()}
 * groups work on them that commits together or not at all. Cages may use {@code java.sql} types; they never
 * see JMS or pool classes, so the host can change drivers and pools under a running cage.
 *
 * <p>Compatibility: the version below follows semantic versioning for this package. A cage imports the
 * range {@code [major.minor, major+1)} of the version it was compiled against (bnd derives it), so it runs on
 * every host with the same major version and at least that minor one. Types marked {@code @ProviderType} are
 * implemented by the host only: the host may add methods to them in a minor version (for example
 * cage-to-cage calls, resources and transactions on the context) without breaking cages compiled against an
 * older minor version. {@link io.cages.api.CageHandler} is a {@code @ConsumerType}: cages implement it, so
 * it only gains default methods. Removing or changing anything is a major version: 2.0.0 removed
 * {@code ErrorCode.httpStatus()} (the HTTP transport maps codes to statuses now), so cages built against
 * 1.x do not resolve on a 2.x host and are rebuilt, unchanged unless they called that method. 2.1.0 added
 * streamed answers ({@link io.cages.api.Response#stream}, {@link io.cages.api.BodyWriter}). 2.2.0 added durable
 * calls ({@link io.cages.api.CageRef#callDurably}, {@link io.cages.api.Transaction#callDurably},
 * {@link io.cages.api.CageContext#durableCall}, {@link io.cages.api.DurableCall}).
 *
 * <p>Maven coordinates: {@code io.cages:cages-api} at the cages version, scope {@code provided}; a cage project
 * gets it (and the testing kit) from its parent {@code io.cages:cages-cage-parent} (see the README's "Writing your
 * own cage"). This comment is the compatibility rule's one statement; the README links here.
 *
 * <p>This package is exported by the host's system bundle with the version below; it is never installed as
 * a bundle of its own, and cages import nothing else but {@code java.*}.
 */
@Export
@Version("2.2.0")
package io.cages.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
