/**
 * What an operator's tools see of a host: {@link io.cages.host.admin.Admin} (deploy, undeploy, list cages,
 * history, config problems, resources, the flock) and the records it answers with. The HTTP transport serves
 * it on the admin listener; {@code cagectl} calls it there.
 */
package io.cages.host.admin;
