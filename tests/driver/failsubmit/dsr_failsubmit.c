// SPDX-License-Identifier: GPL-2.0
/*
 * dsr_failsubmit.c - fault injection for the driver tests: makes usb_submit_urb() fail
 * for the DSR board's bulk IN URBs, the way the kernel's own error injection does.
 *
 * Debian 12's kernels have neither CONFIG_FAULT_INJECTION nor
 * CONFIG_FUNCTION_ERROR_INJECTION, so a failing submission (out of memory in the host
 * controller driver, say) cannot be provoked from the device side or from debugfs. This
 * module puts a kprobe on usb_submit_urb(); while armed, a call for a bulk IN URB of a
 * device with the DSR VID:PID does not run: the probe returns through a stub that
 * yields the chosen error, exactly what fail_function's override does. Everything else
 * is the real kernel: dsr.ko's completion, retry and error paths run unchanged.
 *
 * Parameters (/sys/module/dsr_failsubmit/parameters/): skip - matching calls still to
 * let through before failing; fail - matching calls to fail after those; err - the
 * errno (default ENOMEM); failed - calls failed so far (read-only).
 * A test module only: never part of the driver's package.
 */
#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/usb.h>

#include <dsr/dsr_hw.h>

static atomic_t skip = ATOMIC_INIT(0), fail = ATOMIC_INIT(0), failed = ATOMIC_INIT(0);
static int err = ENOMEM;

static int atomic_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (!ret)
		atomic_set(kp->arg, v);
	return ret;
}

static int atomic_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops atomic_ops = {
	.set = atomic_param_set,
	.get = atomic_param_get,
};

module_param_cb(skip, &atomic_ops, &skip, 0644);
MODULE_PARM_DESC(skip, "matching bulk IN submissions to let through before failing");
module_param_cb(fail, &atomic_ops, &fail, 0644);
MODULE_PARM_DESC(fail, "matching bulk IN submissions to fail (after skip)");
module_param_cb(failed, &atomic_ops, &failed, 0444);
MODULE_PARM_DESC(failed, "submissions failed so far");
module_param(err, int, 0644);
MODULE_PARM_DESC(err, "errno the failed submissions return (positive, default ENOMEM)");

/* Where an overridden usb_submit_urb() goes instead: returns to its caller at once. */
static noinline int dsr_failsubmit_stub(void)
{
	return -READ_ONCE(err);
}

/* Take one from @v if it is positive. */
static bool take_one(atomic_t *v)
{
	return atomic_add_unless(v, -1, 0);
}

/* A bulk IN URB of a DSR board. */
static bool dsr_bulk_in(const struct urb *urb)
{
	const struct usb_device *udev = urb ? urb->dev : NULL;

	return udev && usb_pipebulk(urb->pipe) && usb_pipein(urb->pipe) &&
	       le16_to_cpu(udev->descriptor.idVendor) == DSR_USB_VID &&
	       le16_to_cpu(udev->descriptor.idProduct) == DSR_USB_PID;
}

static int dsr_failsubmit_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct urb *urb = (struct urb *)regs_get_kernel_argument(regs, 0);

	if (!dsr_bulk_in(urb) || !atomic_read(&fail) || take_one(&skip) || !take_one(&fail))
		return 0;
	atomic_inc(&failed);
	/* probed at the function's entry: the stub's return goes to usb_submit_urb's caller */
	instruction_pointer_set(regs, (unsigned long)dsr_failsubmit_stub);
	return 1;
}

/* Present so that kprobes arms the probe with IP modification allowed (as fail_function). */
static void dsr_failsubmit_post(struct kprobe *kp, struct pt_regs *regs, unsigned long flags)
{
}

static struct kprobe dsr_failsubmit_kp = {
	.symbol_name = "usb_submit_urb",
	.pre_handler = dsr_failsubmit_pre,
	.post_handler = dsr_failsubmit_post,
};

static int __init dsr_failsubmit_init(void)
{
	return register_kprobe(&dsr_failsubmit_kp);
}

static void __exit dsr_failsubmit_exit(void)
{
	unregister_kprobe(&dsr_failsubmit_kp);
}

module_init(dsr_failsubmit_init);
module_exit(dsr_failsubmit_exit);
MODULE_DESCRIPTION("DSR driver tests: usb_submit_urb() failures on the board's bulk IN URBs");
MODULE_LICENSE("GPL");
