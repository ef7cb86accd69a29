/* SPDX-License-Identifier: MIT */
/*
 * cni.h - the CNI front door: environment + stdin JSON in, result JSON out.
 */
#ifndef CNM_CNI_H
#define CNM_CNI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "cnm.h"

/* The spec's error codes (CNI 1.1.0, "Error"). */
enum {
	CNI_ERR_VERSION = 1,	/* incompatible CNI version */
	CNI_ERR_FIELD = 2,	/* unsupported field in network configuration */
	CNI_ERR_UNKNOWN = 3,	/* container unknown or does not exist */
	CNI_ERR_ENV = 4,	/* invalid necessary environment variables */
	CNI_ERR_IO = 5,		/* I/O failure */
	CNI_ERR_DECODE = 6,	/* failed to decode content */
	CNI_ERR_CONFIG = 7,	/* invalid network config */
	CNI_ERR_AGAIN = 11,	/* try again later */
	CNI_ERR_NOT_READY = 50,	/* STATUS: the plugin is not available */
	CNI_ERR_INTERNAL = 999,	/* anything else (the reference plugins' ErrInternal) */
};

/** struct cni_error - what goes into the spec's error object. */
struct cni_error {
	int code;
	char msg[512];
	char details[512];
};

#define CNI_MAX_PORTS 65536
#define CNI_MAX_KEEP 4096

/**
 * struct cni_req - one invocation, decoded: environment, configuration,
 * runtime configuration.  Strings point into @root or the environment.
 */
struct cni_req {
	/* environment */
	const char *command;
	const char *container_id;
	const char *netns;
	const char *ifname;
	const char *path;	/* CNI_PATH */
	/* network configuration */
	json_t *root;
	const char *version;	/* cniVersion */
	const char *name;
	const char *type;
	const char *bridge;
	bool is_gateway, is_default_gateway, force_address, ip_masq, hairpin, promisc;
	bool macspoofchk, enabledad, port_isolation;
	bool preserve_default_vlan;
	int mtu, vlan;
	json_t *dns;		/* passed through to the result */
	/* IPAM */
	const char *ipam_type;	/* NULL or "cnm": ours; anything else is delegated */
	bool ipam_ours;
	const char *data_dir;
	const char *subnet, *gateway, *range_start, *range_end;
	const char *subnet6, *gateway6, *range_start6, *range_end6;
	char **routes;		/* "DST" or "DST via GW", malloc'ed */
	size_t n_routes;
	/* what the runtime asks for */
	const char *ip, *ip6, *mac;
	char ipbuf[2][64];
	char macbuf[32];
	char **publish;		/* Docker -p specs from portMappings, malloc'ed */
	size_t n_publish;
	json_t *prev_result;
	const char **keep;	/* GC: "containerID/ifname" */
	size_t n_keep;
	char keepbuf[CNI_MAX_KEEP][160];
};

/* conf.c */
bool cni_version_supported(const char *v);
int cni_version_cmp(const char *a, const char *b);
extern const char *const cni_versions[];
extern const size_t cni_n_versions;
int cni_req_parse(struct cni_req *r, const char *stdin_json, size_t len, struct cni_error *e);
int cni_args_parse(struct cni_req *r, const char *args, struct cni_error *e);
void cni_req_free(struct cni_req *r);
int cni_err(struct cni_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* result.c */
json_t *cni_result(const struct cni_req *r, const struct cnm_attach_info *info);
int cni_result_ips(json_t *result, char addr[64], char gw[48], char addr6[64], char gw6[48],
		   char ***routes, size_t *n_routes);

/* delegate.c */
int cni_delegate(const struct cni_req *r, const char *command, const char *stdin_json,
		 json_t **result, struct cni_error *e);

/* cni.c */
int cni_main(void);

#endif
