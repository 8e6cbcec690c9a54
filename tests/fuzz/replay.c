/* replay — runs a fuzz target over its seed corpus without libFuzzer, so every build checks
 * that the corpus still passes. The target is named by argv[1], or by the program's name
 * minus "-replay" (build/debug/tests/fuzz/http_router-replay → http_router); the corpus is
 * tests/fuzz/corpus/<target>/ under the current directory, or the directory in argv[2]. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	size_t cap = 1 << 16, len = 0;
	uint8_t *data = malloc(cap);
	size_t n;
	while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			uint8_t *bigger = realloc(data, cap);
			if (!bigger) {
				free(data);
				data = NULL;
			}
			data = bigger;
		}
	}
	fclose(f);
	if (!data)
		return -1;
	/* an exact-size copy, so ASan sees reads past the end */
	uint8_t *exact = malloc(len ? len : 1);
	memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	char target[256];
	if (argc > 1) {
		snprintf(target, sizeof(target), "%s", argv[1]);
	} else {
		const char *base = strrchr(argv[0], '/');
		base = base ? base + 1 : argv[0];
		snprintf(target, sizeof(target), "%s", base);
		char *suffix = strstr(target, "-replay");
		if (suffix)
			*suffix = '\0';
	}
	char dir[512];
	if (argc > 2)
		snprintf(dir, sizeof(dir), "%s", argv[2]);
	else
		snprintf(dir, sizeof(dir), "tests/fuzz/corpus/%s", target);
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: no corpus at %s\n", dir);
		return 1;
	}
	int files = 0, failed = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (run_file(path) < 0)
			failed++;
		else
			files++;
	}
	closedir(d);
	printf("replay %s: %d inputs, %d unreadable\n", target, files, failed);
	return failed || !files ? 1 : 0;
}
