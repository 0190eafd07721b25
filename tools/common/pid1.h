/* ember commands: the PID-1 side of a command booted as /init of an image
 * (images/README.md). Called as the first line of main:
 *
 *     pid1_boot("srv", &argc, &argv);
 *
 * It returns at once unless the process is PID 1. As PID 1 it mounts /proc,
 * /sys, devtmpfs on /dev and a tmpfs on /tmp; loads the modules that
 * /etc/modules.order lists (one path a line) with finit_module(2); brings
 * lo up and configures eth0 from the kernel command line's
 * ember.ip=A.B.C.D/NN and ember.gw=A.B.C.D; mounts /dev/vda (ext4) on
 * /var/ember, or a tmpfs there when the image has no disk; and replaces
 * argv by "ember-CMD", the options of /etc/ember/args (one a line: "--opt",
 * "--opt value" or "--opt=value"; blank lines and #comments skipped), then
 * each ember.OPTION=VALUE of the command line as "--OPTION VALUE" and each
 * bare ember.OPTION as "--OPTION", in order.
 *
 * When main returns or the command calls exit(), PID 1 does not exit: it
 * takes eth0 down, syncs, unmounts /var/ember and powers the machine off.
 * Until the command installs its own SIGTERM/SIGINT handlers, those signals
 * power off at once. A failure that leaves nothing to run (no memory for
 * argv, a disk that cannot be mounted) powers off with a console line. */
#ifndef EMBER_PID1_H
#define EMBER_PID1_H

void pid1_boot(const char *cmd, int *argc, char ***argv);

#endif
