/* cgname_int.h — between cgname.c (path recognisers, cache) and
 * cgname_state.c (the runtimes' state files). Not for other modules.
 *
 * Each reader fills out (NUL-terminated, sanitised) and returns 0, or
 * returns a negative errno and leaves out empty; root is never NULL here.
 */
#ifndef TCPSCOPE_CGNAME_INT_H
#define TCPSCOPE_CGNAME_INT_H

#include <stddef.h>

/* <root>/var/lib/docker/containers/<id>/config.v2.json, top-level "Name"
 * without its leading '/'. */
int cgstate_docker_name(const char *root, const char *id, char *out, size_t outsz);
/* <root>/var/lib/containers/storage/overlay-containers/containers.json, or
 * for rootless Podman (home != NULL) <root><home>/.local/share/containers/
 * storage/overlay-containers/containers.json. */
int cgstate_podman_name(const char *root, const char *home, const char *id, char *out,
			size_t outsz);
/* <root>/var/log/pods/<namespace>_<pod>_<uid>: "namespace/pod". uid as in
 * the path, dashes (the directory names use dashes too). */
int cgstate_k8s_pod(const char *root, const char *uid, char *out, size_t outsz);

/* The home directory of uid in <root>/etc/passwd. */
int cgstate_home(const char *root, long uid, char *out, size_t outsz);

#endif
