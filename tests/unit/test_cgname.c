/* Unit tests for cgname: every runtime's path shape, prefixes, the state
 * files (staged in a temporary root: good, missing, malformed, oversized
 * names), the JSON extractor, sanitising and the cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/cgname.h"

#define ID_A "3f2a9c4e1b7d8f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718"
#define ID_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "8c1e7a52-1f3b-4c9e-9a2d-5b6f7e8d9c0a"
#define UID_ "8c1e7a52_1f3b_4c9e_9a2d_5b6f7e8d9c0a"

static char root[256];

static const char *text_of(const char *path)
{
	static struct cg_label l;
	cgname_resolve(root, path, &l);
	return l.text;
}

static void shape(const char *path, enum cg_kind kind, const char *text)
{
	struct cg_label l;
	enum cg_kind k = cgname_resolve(root, path, &l);
	check_report(k == kind && l.kind == kind && !strcmp(l.text, text), __FILE__, __LINE__,
		     "%s -> kind %s text \"%s\" (want %s \"%s\")", path, cgname_kind_name(k),
		     l.text, cgname_kind_name(kind), text);
}

static void put_file(const char *rel, const char *body)
{
	char p[512], cmd[700];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd) != 0)
		return;
	FILE *f = fopen(p, "w");
	if (!f)
		return;
	fputs(body, f);
	fclose(f);
}

static void mkdir_p(const char *rel)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", root, rel);
	if (system(cmd) != 0)
		CHECK(!"mkdir -p");
}

static void test_systemd(void)
{
	shape("/system.slice/nginx.service", CG_SERVICE, "nginx.service");
	shape("/system.slice/system-getty.slice/getty@tty1.service", CG_SERVICE,
	      "getty@tty1.service");
	shape("/system.slice/run-r1234.scope", CG_SERVICE, "run-r1234.scope");
	shape("/init.scope", CG_SERVICE, "init.scope");
	shape("/user.slice/user-1000.slice/session-3.scope", CG_SESSION, "session-3 (uid 1000)");
	shape("/user.slice/user-0.slice/session-c12.scope", CG_SESSION, "session-c12 (uid 0)");
	shape("/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-123.scope",
	      CG_USER_UNIT, "app-firefox-123.scope (uid 1000)");
	shape("/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service/x",
	      CG_USER_UNIT, "dbus.service (uid 1000)");
	shape("/user.slice/user-1000.slice/user@1000.service", CG_USER_UNIT, "user@1000.service");
	shape("/user.slice/user-1000.slice/user@1000.service/init.scope", CG_USER_UNIT,
	      "init.scope (uid 1000)");
	/* Not units. */
	shape("/", CG_OTHER, "/");
	shape("", CG_OTHER, "/");
	shape("/user.slice/user-1000.slice", CG_OTHER, "user-1000.slice");
	shape("/system.slice", CG_OTHER, "system.slice");
	shape("/tcpscope-test-1/some/where", CG_OTHER, "where");
	shape("//system.slice//sshd.service/", CG_SERVICE, "sshd.service");
}

static void test_docker(void)
{
	/* No state file yet: the 12-char id. */
	shape("/system.slice/docker-" ID_A ".scope", CG_DOCKER, "docker:3f2a9c4e1b7d");
	shape("/docker/" ID_A, CG_DOCKER, "docker:3f2a9c4e1b7d");
	put_file("var/lib/docker/containers/" ID_A "/config.v2.json",
		 "{\"State\":{\"Running\":true,\"Name\":\"inner\"},\"ID\":\"" ID_A "\","
		 "\"Config\":{\"Labels\":{\"a\":\"}\"}},\"Name\":\"/shop-api\",\"Driver\":\"x\"}");
	shape("/system.slice/docker-" ID_A ".scope", CG_DOCKER, "docker:shop-api");
	shape("/docker/" ID_A, CG_DOCKER, "docker:shop-api");
	shape("/tcpscope-test-123/system.slice/docker-" ID_A ".scope", CG_DOCKER,
	      "docker:shop-api");
	/* A unit running inside the container is the container's. */
	shape("/system.slice/docker-" ID_A ".scope/system.slice/nginx.service", CG_DOCKER,
	      "docker:shop-api");
	struct cg_label l;
	cgname_resolve(root, "/docker/" ID_A, &l);
	CHECK_STR(l.id, ID_A);
	CHECK_STR(l.name, "shop-api");
	/* Not ids: wrong length, upper case, not hex; not under "docker". */
	shape("/system.slice/docker-" ID_A "0.scope", CG_SERVICE, "docker-" ID_A "0.scope");
	shape(
	    "/system.slice/docker-3F2A9C4E1B7D8F60A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718"
	    ".scope",
	    CG_SERVICE,
	    "docker-3F2A9C4E1B7D8F60A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718.scope");
	shape("/other/" ID_A, CG_OTHER, ID_A);

	/* Malformed, empty, not a string, nameless: the id, never a crash. */
	const struct {
		const char *body;
	} bad[] = {
	    {""},
	    {"{"},
	    {"{\"Name\":"},
	    {"{\"Name\":\"/x"},
	    {"{\"Name\":42}"},
	    {"[1,2]"},
	    {"{\"Name\":\"\"}"},
	    {"{\"Name\":\"/\"}"},
	    {"{\"Other\":\"/x\"}"},
	    {"garbage"},
	    {"{\"Name\":\"/a\\q\"}"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		put_file("var/lib/docker/containers/" ID_B "/config.v2.json", bad[i].body);
		const char *t = text_of("/system.slice/docker-" ID_B ".scope");
		check_report(!strcmp(t, "docker:0123456789ab"), __FILE__, __LINE__,
			     "bad config %zu: \"%s\"", i, t);
	}
	/* A control character in the name is not sent to the terminal. */
	put_file("var/lib/docker/containers/" ID_B "/config.v2.json",
		 "{\"Name\":\"/evil\\u001b[2Jname\\n\"}");
	CHECK_STR(text_of("/docker/" ID_B), "docker:evil?[2Jname?");
	/* Unicode escapes decode to UTF-8. */
	put_file("var/lib/docker/containers/" ID_B "/config.v2.json",
		 "{\"Name\":\"/caf\\u00e9-\\ud83d\\ude00\"}");
	CHECK_STR(text_of("/docker/" ID_B), "docker:caf\xc3\xa9-\xf0\x9f\x98\x80");
	/* A long name is cut to fit, at a character boundary. */
	char body[1200], want[200];
	strcpy(body, "{\"Name\":\"/");
	for (int i = 0; i < 200; i++)
		strcat(body, "\xc3\xa9");
	strcat(body, "\"}");
	put_file("var/lib/docker/containers/" ID_B "/config.v2.json", body);
	struct cg_label ll;
	cgname_resolve(root, "/docker/" ID_B, &ll);
	CHECK_INT(strlen(ll.name), 126); /* 63 two-byte characters fit in 127 */
	CHECK(strlen(ll.text) <= sizeof ll.text - 1);
	CHECK_INT(strlen(ll.text) % 2, 1); /* "docker:" + whole characters */
	snprintf(want, sizeof want, "docker:%s", ll.name);
	CHECK(!strncmp(ll.text, want, strlen(ll.text)));
}

static void test_podman(void)
{
	shape("/machine.slice/libpod-" ID_A ".scope", CG_PODMAN, "podman:3f2a9c4e1b7d");
	put_file("var/lib/containers/storage/overlay-containers/containers.json",
		 "[{\"id\":\"" ID_B "\",\"names\":[\"other\"],\"image\":\"x\"},"
		 " {\"id\":\"" ID_A "\",\"names\":[\"web\",\"alias\"],\"layer\":\"l\","
		 "\"metadata\":\"{\\\"id\\\":\\\"no\\\"}\",\"flags\":{\"a\":[1,{\"b\":2}]}}]");
	shape("/machine.slice/libpod-" ID_A ".scope", CG_PODMAN, "podman:web");
	shape("/machine.slice/libpod-" ID_A ".scope/container", CG_PODMAN, "podman:web");
	shape("/libpod_parent/libpod-" ID_A, CG_PODMAN, "podman:web");
	shape("/tcpscope-test-9/machine.slice/libpod-" ID_B ".scope", CG_PODMAN, "podman:other");
	/* Rootless: the user's home from <root>/etc/passwd. */
	const char *rl = "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_A
			 ".scope/container";
	shape(rl, CG_PODMAN, "podman:3f2a9c4e1b7d");
	put_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nbad line\n"
			       "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n");
	put_file("home/alice/.local/share/containers/storage/overlay-containers/containers.json",
		 "[{\"id\":\"" ID_A "\",\"names\":[\"rootless-web\"]}]");
	shape(rl, CG_PODMAN, "podman:rootless-web");
	/* The id absent, names missing or empty, malformed. */
	const char *bad[] = {
	    "[]",
	    "[{\"id\":\"" ID_A "\"}]",
	    "[{\"id\":\"" ID_A "\",\"names\":[]}]",
	    "[{\"id\":\"" ID_A "\",\"names\":[\"x\"]",
	    "{\"id\":\"" ID_A "\"}",
	    "[1,2,\"x\"]",
	    "[{\"id\":\"" ID_A "\",\"names\":[7]}]",
	    "[{\"id\":" ID_A "}]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		put_file("var/lib/containers/storage/overlay-containers/containers.json", bad[i]);
		const char *t = text_of("/machine.slice/libpod-" ID_A ".scope");
		check_report(!strcmp(t, "podman:3f2a9c4e1b7d"), __FILE__, __LINE__,
			     "bad containers.json %zu: \"%s\"", i, t);
	}
}

static void test_k8s(void)
{
	const char *sd = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
			 ".slice/cri-containerd-" ID_A ".scope";
	shape(sd, CG_K8S, "k8s:pod-" UID);
	mkdir_p("var/log/pods/kube-system_coredns-5d78c9869d-abcde_11111111-2222-3333-4444-"
		"555555555555");
	mkdir_p("var/log/pods/shop_api-7f9c_" UID);
	shape(sd, CG_K8S, "k8s:shop/api-7f9c");
	shape("/kubepods/burstable/pod" UID "/" ID_A, CG_K8S, "k8s:shop/api-7f9c");
	shape("/kubepods/pod" UID "/" ID_A, CG_K8S, "k8s:shop/api-7f9c");
	shape("/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID_A ".scope", CG_K8S,
	      "k8s:shop/api-7f9c");
	shape("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	      ".slice/docker-" ID_A ".scope",
	      CG_K8S, "k8s:shop/api-7f9c");
	/* The pod's own cgroup, and a prefix. */
	shape("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice",
	      CG_K8S, "k8s:shop/api-7f9c");
	shape("/tcpscope-test-5/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	      ".slice/cri-containerd-" ID_A ".scope",
	      CG_K8S, "k8s:shop/api-7f9c");
	/* A static pod's uid is 32 hex digits. */
	shape("/kubepods/besteffort/pod0123456789abcdef0123456789abcdef/" ID_B, CG_K8S,
	      "k8s:pod-0123456789abcdef0123456789abcdef");
	struct cg_label l;
	cgname_resolve(root, sd, &l);
	CHECK_STR(l.id, UID);
	CHECK_STR(l.name, "shop/api-7f9c");
	/* Not pods: no kubepods ancestor, bad uid. */
	shape("/elsewhere/pod" UID "/" ID_A, CG_OTHER, ID_A);
	shape("/kubepods/podnot-a-uid/" ID_A, CG_OTHER, ID_A);
	/* Directory names that only look alike are not taken. */
	const char *r2 = "/kubepods/pod99999999-2222-3333-4444-555555555555/" ID_A;
	mkdir_p("var/log/pods/a_b_c_99999999-2222-3333-4444-555555555555");
	mkdir_p("var/log/pods/_x_99999999-2222-3333-4444-555555555555");
	mkdir_p("var/log/pods/99999999-2222-3333-4444-555555555555");
	shape(r2, CG_K8S, "k8s:pod-99999999-2222-3333-4444-555555555555");
}

static void test_lxc_nspawn(void)
{
	shape("/lxc.payload.web1", CG_LXC, "lxc:web1");
	shape("/lxc.payload.web1/system.slice/nginx.service", CG_LXC, "lxc:web1");
	shape("/lxc/db", CG_LXC, "lxc:db");
	shape("/tcpscope-test-7/lxc/db/init.scope", CG_LXC, "lxc:db");
	shape("/machine.slice/systemd-nspawn@arch.service", CG_NSPAWN, "nspawn:arch");
	shape("/machine.slice/systemd-nspawn@arch.service/payload/system.slice/sshd.service",
	      CG_NSPAWN, "nspawn:arch");
	shape("/machine.slice/machine-my\\x2dbox.scope", CG_NSPAWN, "machine:my-box");
	shape("/machine.slice/machine-evil\\x1b.scope", CG_NSPAWN, "machine:evil?");
}

static void test_prefix_and_limits(void)
{
	/* 100 components: only the innermost are looked at. */
	char p[4096] = "";
	for (int i = 0; i < 100; i++)
		strcat(p, "/d");
	strcat(p, "/system.slice/docker-" ID_A ".scope");
	shape(p, CG_DOCKER, "docker:shop-api");
	/* A very long component is cut, whole characters only. */
	char q[1200] = "/system.slice/";
	for (int i = 0; i < 300; i++)
		strcat(q, "x");
	strcat(q, ".service");
	struct cg_label l;
	cgname_parse(q, &l);
	CHECK_INT(l.kind, CG_SERVICE);
	CHECK_INT(strlen(l.name), sizeof l.name - 1);
	CHECK_INT(strlen(l.text), sizeof l.name - 1);
	/* Control bytes in a path component. */
	cgname_parse("/system.slice/a\tb\x1b.service", &l);
	CHECK_STR(l.text, "a?b?.service");
	/* Every kind has a name. */
	for (int k = 0; k < CG_KIND_COUNT; k++)
		CHECK(strcmp(cgname_kind_name((enum cg_kind)k), "other") || k == CG_OTHER);
	CHECK_STR(cgname_kind_name(CG_KIND_COUNT), "other");
	cgname_parse(NULL, &l);
	CHECK_INT(l.kind, CG_OTHER);
}

static void test_json(void)
{
	char out[32];
	CHECK_INT(cgname_json_top_string("{\"a\":1,\"b\":\"x\"}", 15, "b", out, sizeof out), 0);
	CHECK_STR(out, "x");
	/* Only the top level counts. */
	const char *j = "{\"o\":{\"b\":\"inner\"},\"l\":[\"b\",{\"b\":1}],\"b\":\"outer\"}";
	CHECK_INT(cgname_json_top_string(j, strlen(j), "b", out, sizeof out), 0);
	CHECK_STR(out, "outer");
	CHECK_INT(cgname_json_top_string("{}", 2, "b", out, sizeof out), -ENOENT);
	CHECK_INT(cgname_json_top_string("{\"a\":1}", 7, "b", out, sizeof out), -ENOENT);
	CHECK_INT(cgname_json_top_string("{\"a\":1", 6, "b", out, sizeof out), -EINVAL);
	CHECK_INT(cgname_json_top_string("{\"b\":\"x\"}", 6, "b", out, sizeof out), -EINVAL);
	CHECK_STR(out, "");
	CHECK_INT(cgname_json_top_string(" \n{ \"b\" : \"y\" } ", 16, "b", out, sizeof out), 0);
	CHECK_STR(out, "y");
	/* Too deep to skip: malformed, not a stack overflow. */
	static char deep[5000];
	size_t n = 0;
	deep[n++] = '{';
	memcpy(deep + n, "\"a\":", 4);
	n += 4;
	for (int i = 0; i < 2000; i++)
		deep[n++] = '[';
	CHECK_INT(cgname_json_top_string(deep, n, "b", out, sizeof out), -EINVAL);
	/* A key longer than the key buffer never matches a prefix of it. */
	char lk[200];
	snprintf(lk, sizeof lk, "{\"%070d\":\"no\",\"b\":\"yes\"}", 0);
	CHECK_INT(cgname_json_top_string(lk, strlen(lk), "b", out, sizeof out), 0);
	CHECK_STR(out, "yes");
	/* Sanitise: truncation never splits UTF-8; invalid bytes become '?'. */
	char s[8];
	CHECK_INT(cgname_sanitize("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8, s, sizeof s), 6);
	CHECK_INT(cgname_sanitize("a\xff\xc3"
				  "b",
				  4, s, sizeof s),
		  4);
	CHECK_STR(s, "a?"
		     "?b");
	CHECK_INT(cgname_sanitize("\xc2\x9b"
				  "x",
				  3, s, sizeof s),
		  3); /* C1 CSI */
	CHECK_STR(s, "??x");
}

static void test_cache(void)
{
	struct cgname *c = cgname_new(root);
	struct cgname_stats st;
	const char *p = "/system.slice/docker-" ID_A ".scope";
	const struct cg_label *l = cgname_label(c, 42, p);
	CHECK_STR(l->text, "docker:shop-api");
	/* Steady state: no re-resolution, even when the file changes. */
	put_file("var/lib/docker/containers/" ID_A "/config.v2.json", "{\"Name\":\"/renamed\"}");
	for (int i = 0; i < 100; i++)
		l = cgname_label(c, 42, p);
	CHECK_STR(l->text, "docker:shop-api");
	cgname_stats(c, &st);
	CHECK_INT(st.lookups, 101);
	CHECK_INT(st.resolves, 1);
	CHECK_INT(st.entries, 1);
	/* A fallback label is retried, but not before CGNAME_RETRY_S. */
	const char *q = "/system.slice/docker-" ID_B ".scope";
	char rm[400];
	snprintf(rm, sizeof rm, "rm -rf '%s/var/lib/docker/containers/" ID_B "'", root);
	CHECK_INT(system(rm), 0);
	l = cgname_label(c, 43, q);
	CHECK_STR(l->text, "docker:0123456789ab");
	for (int i = 0; i < 10; i++)
		cgname_label(c, 43, q);
	cgname_stats(c, &st);
	CHECK_INT(st.resolves, 2);
	/* Id 0 is not cached. */
	l = cgname_label(c, 0, "/system.slice/x.service");
	CHECK_STR(l->text, "x.service");
	CHECK(cgname_label(c, 44, NULL) == NULL);
	/* Bounded: past CGNAME_CACHE_MAX ids the cache starts over. */
	for (uint64_t id = 100; id < 100 + CGNAME_CACHE_MAX + 10; id++)
		cgname_label(c, id, "/system.slice/a.service");
	cgname_stats(c, &st);
	CHECK_INT(st.resets, 1);
	CHECK(st.entries <= CGNAME_CACHE_MAX);
	cgname_free(c);
	cgname_free(NULL);
}

int main(void)
{
	snprintf(root, sizeof root, "/tmp/tcpscope-cgname.XXXXXX");
	if (!mkdtemp(root)) {
		check_skip("cgname", "cannot make a temporary directory");
		return check_summary("test_cgname");
	}
	test_systemd();
	test_docker();
	test_podman();
	test_k8s();
	test_lxc_nspawn();
	test_prefix_and_limits();
	test_json();
	test_cache();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		CHECK(!"cleanup");
	return check_summary("test_cgname");
}
