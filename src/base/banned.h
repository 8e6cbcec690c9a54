/* banned.h — libc calls that are too easy to misuse, made compile errors.
 * Included last by every .c file of the project (the Makefile passes -include).
 * Use instead: snprintf / buf_appendf, memcpy with a checked length, strtoll with
 * an end pointer, gmtime_r / tz_to_civil, rand_bytes / randombytes_buf. */
#ifndef CRENEAU_BANNED_H
#define CRENEAU_BANNED_H

#define BANNED(fn) sorry_##fn##_is_banned

#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef gmtime
#define gmtime(x) BANNED(gmtime)
#undef localtime
#define localtime(x) BANNED(localtime)
#undef ctime
#define ctime(x) BANNED(ctime)
#undef asctime
#define asctime(x) BANNED(asctime)
#undef rand
#define rand() BANNED(rand)
#undef gets
#define gets(x) BANNED(gets)

#endif
