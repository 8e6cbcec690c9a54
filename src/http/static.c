/* static — the web front-ends, loaded into memory at start.
 *
 * Every regular file under web_root whose path has no segment starting with '.' is read
 * once, hashed (BLAKE2b, for a strong ETag) and, when its type compresses, gzipped. The
 * set is then a sorted array read by every thread without a lock. Files bigger than
 * STATIC_FILE_MAX, or past STATIC_TOTAL_MAX / STATIC_FILES_MAX in total, are left out with a
 * warning. Changing a file needs a restart (the front-ends are deployed with the binary). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "http/server_int.h"
#include "base/banned.h"

struct static_files {
	struct static_file *files; /* sorted by path */
	size_t n, alloc;
	size_t total;
};

static const struct {
	const char *ext;
	const char *type;
	int compress;
} types[] = {
	{".html", "text/html; charset=utf-8", 1},
	{".css", "text/css; charset=utf-8", 1},
	{".js", "text/javascript; charset=utf-8", 1},
	{".mjs", "text/javascript; charset=utf-8", 1},
	{".json", "application/json; charset=utf-8", 1},
	{".map", "application/json; charset=utf-8", 1},
	{".svg", "image/svg+xml", 1},
	{".txt", "text/plain; charset=utf-8", 1},
	{".xml", "application/xml", 1},
	{".webmanifest", "application/manifest+json", 1},
	{".ico", "image/x-icon", 1},
	{".png", "image/png", 0},
	{".jpg", "image/jpeg", 0},
	{".jpeg", "image/jpeg", 0},
	{".gif", "image/gif", 0},
	{".webp", "image/webp", 0},
	{".avif", "image/avif", 0},
	{".woff", "font/woff", 0},
	{".woff2", "font/woff2", 0},
	{".ttf", "font/ttf", 1},
	{".pdf", "application/pdf", 0},
	{".wasm", "application/wasm", 1},
};

static int type_index(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	if (!dot)
		return -1;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(dot, types[i].ext))
			return (int)i;
	return -1;
}

const char *static_content_type(const char *path)
{
	int t = type_index(path);
	return t < 0 ? "application/octet-stream" : types[t].type;
}

static int gzip_buf(const unsigned char *in, size_t len, unsigned char **out, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	size_t cap = deflateBound(&z, (uLong)len);
	unsigned char *buf = xmalloc(cap);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static char *etag_of(const unsigned char *data, size_t len, const char *suffix)
{
	unsigned char h[16];
	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	char hex[33];
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return xasprintf("\"%s%s\"", hex, suffix);
}

static int read_file(const char *fs_path, size_t size, unsigned char **out)
{
	int fd = open(fs_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	unsigned char *data = xmalloc(size ? size : 1);
	size_t got = 0;
	while (got < size) {
		ssize_t r = read(fd, data + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != size) {
		free(data);
		return -1;
	}
	*out = data;
	return 0;
}

static void add_file(struct static_files *s, const char *fs_path, const char *url_path, size_t size)
{
	if (size > STATIC_FILE_MAX || s->total + size > STATIC_TOTAL_MAX || s->n >= STATIC_FILES_MAX) {
		log_warn("http_static skipped path=%s size=%zu reason=over_cap", url_path, size);
		return;
	}
	unsigned char *data;
	if (read_file(fs_path, size, &data) < 0) {
		log_warn("http_static skipped path=%s reason=unreadable", url_path);
		return;
	}
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 64;
		s->files = xrealloc(s->files, s->alloc * sizeof(*s->files));
	}
	struct static_file *f = &s->files[s->n++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(url_path);
	int t = type_index(url_path);
	f->content_type = t < 0 ? "application/octet-stream" : types[t].type;
	size_t plen = strlen(url_path);
	f->cache_control =
		plen >= 5 && !strcasecmp(url_path + plen - 5, ".html") ? "no-cache" : "public, max-age=3600";
	f->body = data;
	f->len = size;
	f->etag = etag_of(data, size, "");
	unsigned char *gz;
	size_t gz_len;
	if (t >= 0 && types[t].compress && size >= 256 && gzip_buf(data, size, &gz, &gz_len) == 0) {
		if (gz_len + 64 < size) {
			f->gz = gz;
			f->gz_len = gz_len;
			f->etag_gz = etag_of(data, size, "-gz");
		} else {
			free(gz);
		}
	}
	s->total += size;
}

static void walk_dir(struct static_files *s, const char *fs_dir, const char *url_dir, int depth)
{
	if (depth > 16)
		return;
	DIR *d = opendir(fs_dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* ".", "..", and hidden files */
		char *fs = xasprintf("%s/%s", fs_dir, de->d_name);
		char *url = xasprintf("%s/%s", url_dir, de->d_name);
		struct stat st;
		if (stat(fs, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				walk_dir(s, fs, url, depth + 1);
			else if (S_ISREG(st.st_mode))
				add_file(s, fs, url, (size_t)st.st_size);
		}
		free(fs);
		free(url);
	}
	closedir(d);
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct static_file *)a)->path, ((const struct static_file *)b)->path);
}

int static_files_load(const char *root, struct static_files **out, struct err *e)
{
	(void)e;
	struct static_files *s = xcalloc(1, sizeof(*s));
	if (root && *root) {
		struct stat st;
		if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
			log_warn("http_static web_root=%s missing: no static files served", root);
		else
			walk_dir(s, root, "", 0);
	}
	if (s->n)
		qsort(s->files, s->n, sizeof(*s->files), file_cmp);
	log_info("http_static files=%zu bytes=%zu", s->n, s->total);
	*out = s;
	return 0;
}

void static_files_free(struct static_files *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free((char *)s->files[i].path);
		free((char *)s->files[i].etag);
		free((char *)s->files[i].etag_gz);
		free((void *)s->files[i].body);
		free((void *)s->files[i].gz);
	}
	free(s->files);
	free(s);
}

static const struct static_file *lookup(const struct static_files *s, const char *path)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(path, s->files[mid].path);
		if (!c)
			return &s->files[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct static_file *static_files_find(const struct static_files *s, const char *path, int *redirect)
{
	*redirect = 0;
	size_t len = strnlen(path, HTTP_PATH_MAX + 1);
	if (!s || !s->n || len == 0 || len > HTTP_PATH_MAX || path[0] != '/' || strchr(path, '\\'))
		return NULL;
	/* refuse "..", "." and hidden files anywhere in the path */
	for (const char *p = path; (p = strchr(p, '/')); p++)
		if (p[1] == '.')
			return NULL;
	if (path[len - 1] == '/') {
		char idx[HTTP_PATH_MAX + 16];
		snprintf(idx, sizeof(idx), "%sindex.html", path);
		return lookup(s, idx);
	}
	const struct static_file *f = lookup(s, path);
	if (f)
		return f;
	char idx[HTTP_PATH_MAX + 16];
	snprintf(idx, sizeof(idx), "%s/index.html", path);
	if (lookup(s, idx))
		*redirect = 1;
	return NULL;
}

int http_resp_static(struct http_req *r, struct http_resp *w, int status, const char *path)
{
	const struct static_file *f = r->srv->statics ? lookup(r->srv->statics, path) : NULL;
	if (!f)
		return -1;
	int gz = f->gz && http_accepts_gzip(http_req_header(r, "Accept-Encoding"));
	const char *etag = gz ? f->etag_gz : f->etag;
	w->answered = 1;
	http_resp_header(w, "Cache-Control", status == 200 ? f->cache_control : "no-cache");
	if (f->gz)
		http_resp_header(w, "Vary", "Accept-Encoding");
	if (status == 200) {
		http_resp_header(w, "ETag", etag);
		if (http_etag_matches(http_req_header(r, "If-None-Match"), etag)) {
			w->status = 304;
			w->body = "";
			w->len = 0;
			return 0;
		}
	}
	w->status = status;
	w->content_type = f->content_type;
	if (gz)
		http_resp_header(w, "Content-Encoding", "gzip");
	w->body = (const char *)(gz ? f->gz : f->body);
	w->len = gz ? f->gz_len : f->len;
	return 0;
}
