/* audit_risky.c — the listener audit's tables: known-risky services (one
 * row per service, listed the same way in docs/LISTENERS.md), the findings,
 * and the names of exposures and address scopes. */
#include <stddef.h>

#include "tcpscope/audit.h"

/* Services routinely attacked when reachable from outside: default setups
 * without authentication, clear-text logins, wormable protocols. Sorted by
 * port (audit_risky_of searches it). */
const struct audit_risky audit_risky_table[] = {
	{21, "FTP", DS_WARNING, "clear-text logins, brute-forced around the clock"},
	{23, "Telnet", DS_CRITICAL, "clear-text remote shell, a botnet favourite"},
	{111, "rpcbind", DS_WARNING, "lists RPC services; used for amplification"},
	{135, "MS-RPC", DS_WARNING, "Windows RPC endpoint mapper, remote-code bugs"},
	{139, "NetBIOS session", DS_WARNING, "SMB over NetBIOS, share enumeration"},
	{445, "SMB", DS_CRITICAL, "wormable file sharing (EternalBlue, ransomware)"},
	{512, "rexec", DS_CRITICAL, "clear-text remote execution"},
	{513, "rlogin", DS_CRITICAL, "clear-text, host-trust logins"},
	{514, "rsh", DS_CRITICAL, "clear-text, host-trust remote shell"},
	{873, "rsync daemon", DS_WARNING, "modules often readable without a password"},
	{1433, "Microsoft SQL Server", DS_WARNING, "database logins brute-forced"},
	{1521, "Oracle TNS listener", DS_WARNING, "database logins brute-forced"},
	{2049, "NFS", DS_WARNING, "exports trust client addresses"},
	{2375, "Docker API (no TLS)", DS_CRITICAL, "unauthenticated: root on the host"},
	{2379, "etcd", DS_CRITICAL, "cluster secrets, often without authentication"},
	{3306, "MySQL", DS_WARNING, "database logins brute-forced"},
	{3389, "RDP", DS_WARNING, "brute force and remote-code bugs (BlueKeep)"},
	{5432, "PostgreSQL", DS_WARNING, "database logins brute-forced"},
	{5601, "Kibana", DS_WARNING, "often without authentication"},
	{5900, "VNC", DS_WARNING, "weak or no passwords"},
	{5984, "CouchDB", DS_WARNING, "admin party: no authentication in old setups"},
	{6379, "Redis", DS_CRITICAL, "no authentication by default; CONFIG SET writes files"},
	{8500, "Consul HTTP API", DS_WARNING, "service registration and exec without ACLs"},
	{9200, "Elasticsearch", DS_CRITICAL, "indices readable and deletable without auth"},
	{10250, "kubelet API", DS_CRITICAL, "exec in pods when anonymous auth is on"},
	{11211, "Memcached", DS_CRITICAL, "no authentication; data leaks, DDoS amplification"},
	{27017, "MongoDB", DS_CRITICAL, "databases wiped for ransom when auth is off"},
};
const size_t audit_risky_n = sizeof audit_risky_table / sizeof audit_risky_table[0];

const struct audit_risky *audit_risky_of(uint16_t port)
{
	size_t lo = 0, hi = audit_risky_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (audit_risky_table[mid].port == port)
			return &audit_risky_table[mid];
		if (audit_risky_table[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct audit_finding_def audit_findings[AF_COUNT] = {
	[AF_RISKY] = {"risky", DS_WARNING,
		      "a known-risky service bound to a wildcard or a public address"},
	[AF_EPHEMERAL] = {"ephemeral", DS_WARNING,
			  "port inside ip_local_port_range and not reserved: an outgoing "
			  "connection can take it while the service restarts"},
	[AF_SHARED] = {"shared", DS_WARNING,
		       "other programs or users listen on the same port (SO_REUSEPORT, or "
		       "IPv4 and IPv6 held apart)"},
	[AF_REUSEPORT] = {"reuseport", DS_INFO,
			  "several sockets of one program share the address and port"},
	[AF_QUEUE_FULL] = {"queue_full", DS_WARNING,
			   "accept queue nearly full (the listen_overflow alert)"},
};

static const char *const exposure_names[AEX_COUNT][2] = {
	[AEX_WILDCARD_V4] = {"wildcard-v4", "all IPv4"},
	[AEX_WILDCARD_DUAL] = {"wildcard-dual", "all IPv4+IPv6"},
	[AEX_WILDCARD_V6] = {"wildcard-v6", "all IPv6 (v6only)"},
	[AEX_LOOPBACK] = {"loopback", "loopback only"},
	[AEX_ADDRESS] = {"address", "one address"},
};

const char *audit_exposure_name(int x)
{
	return x >= 0 && x < AEX_COUNT ? exposure_names[x][0] : "unknown";
}

const char *audit_exposure_text(int x)
{
	return x >= 0 && x < AEX_COUNT ? exposure_names[x][1] : "?";
}

const char *audit_scope_name(int s)
{
	static const char *const names[ASC_COUNT] = {
		[ASC_ANY] = "any",          [ASC_LOOPBACK] = "loopback",
		[ASC_LINK_LOCAL] = "link-local", [ASC_PRIVATE] = "private",
		[ASC_PUBLIC] = "public",
	};
	return s >= 0 && s < ASC_COUNT ? names[s] : "unknown";
}
