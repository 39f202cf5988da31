// SPDX-License-Identifier: GPL-2.0
/*
 * dsr_core.c - USB binding, char device and lifetime of a DSR subtraction board.
 *
 * One struct dsr_dev per board, kept alive by a kref that probe and every open file
 * hold; disconnect clears dev->intf under io_mutex so that every I/O path, which checks
 * it first, fails with -ENODEV from then on, wakes every sleeper, and drops probe's
 * reference. The last close frees the rest (dsr_delete).
 */
#include <linux/cdev.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/usb.h>
#include <linux/version.h>

#include "dsr.h"

unsigned int dsr_param_urbs = 16;
module_param_named(urbs, dsr_param_urbs, uint, 0644);
MODULE_PARM_DESC(urbs, "bulk IN transfers in flight while streaming (1-64, default 16), read at stream start");

unsigned int dsr_param_urb_kb = 256;
module_param_named(urb_kb, dsr_param_urb_kb, uint, 0644);
MODULE_PARM_DESC(urb_kb, "KiB per bulk IN transfer (4-1024, default 256), read at stream start");

unsigned int dsr_param_ring_frames = 8;
module_param_named(ring_frames, dsr_param_ring_frames, uint, 0444);
MODULE_PARM_DESC(ring_frames, "frame buffers in each board's ring (2-256, default 8)");

unsigned int dsr_param_ring_mb = 128;
module_param_named(ring_mb, dsr_param_ring_mb, uint, 0444);
MODULE_PARM_DESC(ring_mb, "MiB a ring may take: fewer frames if needed, no streaming if not even 2 fit (default 128)");

bool dsr_param_check_crc = true;
module_param_named(check_crc, dsr_param_check_crc, bool, 0644);
MODULE_PARM_DESC(check_crc, "check each payload against the trailer's CRC-32 (default on), read at stream start; without it frames lack DSR_FLAG_CRC_VALID");

bool dsr_param_force_dma;
module_param_named(force_dma, dsr_param_force_dma, bool, 0644);
MODULE_PARM_DESC(force_dma,
		 "use non-coherent DMA buffers even when the host controller moves data with the CPU (testing on cache-coherent machines only)");

/* Bulk IN work of every board: unbound and high priority, as uvcvideo's. */
struct workqueue_struct *dsr_wq;

static struct class *dsr_class;
static dev_t dsr_devt;
static struct cdev dsr_cdev;
static DEFINE_IDR(dsr_minors);
static DEFINE_MUTEX(dsr_minors_lock);	/* dsr_minors, and kref_get of a dev found there */

static struct usb_driver dsr_driver;

/**
 * dsr_delete - free a board once nobody refers to it any more
 * @kref: dsr_dev.kref
 *
 * Runs on the last kref_put: after disconnect and the last close, so no URB is in
 * flight and no mapping of the ring can be created any more (existing mappings hold
 * their own page references).
 */
void dsr_delete(struct kref *kref)
{
	struct dsr_dev *dev = container_of(kref, struct dsr_dev, kref);

	dsr_ring_free(dev);
	usb_put_dev(dev->udev);
	kfree(dev);
}

/**
 * dsr_io_begin - enter a section that talks to the board over endpoint 0
 * @dev: the board
 *
 * Takes io_mutex; fails with -ENODEV once the board is unplugged. Pair with
 * dsr_io_end().
 */
int dsr_io_begin(struct dsr_dev *dev)
{
	mutex_lock(&dev->io_mutex);
	if (!dev->intf) {
		mutex_unlock(&dev->io_mutex);
		return -ENODEV;
	}
	return 0;
}

/* The end of a dsr_io_begin() section. */
void dsr_io_end(struct dsr_dev *dev)
{
	mutex_unlock(&dev->io_mutex);
}

/* One error convention for control requests: -EPIPE (the board refused) as is. */
static int dsr_ctrl_errno(int ret)
{
	if (ret == -EPIPE || ret == -ENODEV || ret == -ETIMEDOUT || ret == -ENOMEM)
		return ret;
	return ret < 0 ? -EIO : 0;
}

/**
 * dsr_reg_read - read one 32-bit board register (DSR_REQ_REG_READ)
 * @dev:   the board; caller is inside dsr_io_begin()
 * @addr:  register byte address
 * @value: the value in host order
 */
int dsr_reg_read(struct dsr_dev *dev, u32 addr, u32 *value)
{
	__le32 le;
	int ret;

	lockdep_assert_held(&dev->io_mutex);
	ret = usb_control_msg_recv(dev->udev, 0, DSR_REQ_REG_READ,
				   USB_DIR_IN | USB_TYPE_VENDOR | USB_RECIP_DEVICE,
				   0, addr, &le, sizeof(le), DSR_CTRL_TIMEOUT_MS, GFP_KERNEL);
	if (ret)
		return dsr_ctrl_errno(ret);
	*value = le32_to_cpu(le);
	return 0;
}

/**
 * dsr_reg_write - write one 32-bit board register (DSR_REQ_REG_WRITE)
 * @dev:   the board; caller is inside dsr_io_begin()
 * @addr:  register byte address
 * @value: host order
 */
int dsr_reg_write(struct dsr_dev *dev, u32 addr, u32 value)
{
	__le32 le = cpu_to_le32(value);

	lockdep_assert_held(&dev->io_mutex);
	return dsr_vendor_out(dev, DSR_REQ_REG_WRITE, 0, addr, &le, sizeof(le));
}

/**
 * dsr_vendor_out - a vendor OUT request to the device on endpoint 0
 * @dev:   the board; caller is inside dsr_io_begin()
 * @request: DSR_REQ_*
 * @value: wValue
 * @index: wIndex
 * @data:  payload (copied into a DMA-safe buffer by the USB core), or NULL
 * @size:  bytes of @data
 */
int dsr_vendor_out(struct dsr_dev *dev, u8 request, u16 value, u16 index,
		   const void *data, u16 size)
{
	int ret;

	lockdep_assert_held(&dev->io_mutex);
	ret = usb_control_msg_send(dev->udev, 0, request,
				   USB_DIR_OUT | USB_TYPE_VENDOR | USB_RECIP_DEVICE,
				   value, index, data, size, DSR_CTRL_TIMEOUT_MS, GFP_KERNEL);
	return dsr_ctrl_errno(ret);
}

/* Serial numbers name a udev symlink: keep [A-Za-z0-9._-], replace the rest. */
static void dsr_sanitize_serial(char *s, size_t len)
{
	size_t i;

	s[len - 1] = '\0';
	for (i = 0; s[i]; i++)
		if (!isalnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			s[i] = '_';
	if (!s[0])
		strscpy(s, "unknown", len);
}

/**
 * dsr_read_board_info - ask the board what it is (DSR_REQ_GET_INFO)
 * @dev: the board being probed
 *
 * The answer is untrusted: identity and limits are checked against dsr_hw.h before
 * they size the ring.
 */
static int dsr_read_board_info(struct dsr_dev *dev)
{
	struct dsr_board_info info;
	struct device *d = &dev->intf->dev;
	int ret;

	ret = usb_control_msg_recv(dev->udev, 0, DSR_REQ_GET_INFO,
				   USB_DIR_IN | USB_TYPE_VENDOR | USB_RECIP_DEVICE,
				   0, 0, &info, sizeof(info), DSR_CTRL_TIMEOUT_MS, GFP_KERNEL);
	if (ret) {
		dev_err(d, "board info request failed: %d\n", ret);
		return dsr_ctrl_errno(ret);
	}
	if (le32_to_cpu(info.id) != DSR_ID_VALUE) {
		dev_err(d, "board id 0x%08x is not a DSR board\n", le32_to_cpu(info.id));
		return -ENODEV;
	}
	dev->rtl_version = le32_to_cpu(info.rtl_version);
	dev->firmware_version = le32_to_cpu(info.firmware_version);
	dev->max_width = le16_to_cpu(info.max_width);
	dev->max_height = le16_to_cpu(info.max_height);
	dev->pixel_bits_max = le16_to_cpu(info.pixel_bits_max);
	dev->board_flags = le16_to_cpu(info.flags);
	if (!dev->max_width || dev->max_width > DSR_WIDTH_MAX ||
	    !dev->max_height || dev->max_height > DSR_HEIGHT_MAX ||
	    dev->pixel_bits_max < DSR_PIXEL_BITS_MIN ||
	    dev->pixel_bits_max > DSR_PIXEL_BITS_MAX) {
		dev_err(d, "board reports impossible limits %ux%u, %u bits\n",
			dev->max_width, dev->max_height, dev->pixel_bits_max);
		return -EPROTO;
	}
	memcpy(dev->serial, info.serial, sizeof(dev->serial));
	dsr_sanitize_serial(dev->serial, sizeof(dev->serial));
	return 0;
}

/* The bulk endpoints of the streaming interface, as dsr_hw.h names them. */
static int dsr_find_endpoints(struct dsr_dev *dev, struct usb_interface *intf)
{
	struct usb_endpoint_descriptor *in, *out;
	int ret;

	ret = usb_find_common_endpoints(intf->cur_altsetting, &in, &out, NULL, NULL);
	if (ret) {
		dev_err(&intf->dev, "no bulk IN and OUT endpoints\n");
		return ret;
	}
	if (in->bEndpointAddress != DSR_USB_EP_IN || out->bEndpointAddress != DSR_USB_EP_OUT)
		dev_warn(&intf->dev, "bulk endpoints 0x%02x/0x%02x, expected 0x%02x/0x%02x\n",
			 in->bEndpointAddress, out->bEndpointAddress,
			 DSR_USB_EP_IN, DSR_USB_EP_OUT);
	dev->in_pipe = usb_rcvbulkpipe(dev->udev, in->bEndpointAddress);
	dev->out_pipe = usb_sndbulkpipe(dev->udev, out->bEndpointAddress);
	dev->in_maxpacket = usb_endpoint_maxp(in);
	dev->out_maxpacket = usb_endpoint_maxp(out);
	if (!dev->in_maxpacket || !dev->out_maxpacket) {
		dev_err(&intf->dev, "bulk endpoint with zero packet size\n");
		return -EINVAL;
	}
	return 0;
}

/* Locks, lists and queues of a new dsr_dev. */
static void dsr_dev_init(struct dsr_dev *dev)
{
	kref_init(&dev->kref);
	mutex_init(&dev->io_mutex);
	mutex_init(&dev->stream_mutex);
	mutex_init(&dev->write_mutex);
	spin_lock_init(&dev->ring_lock);
	INIT_LIST_HEAD(&dev->ring_free);
	INIT_LIST_HEAD(&dev->ring_ready);
	init_waitqueue_head(&dev->wait);
	init_usb_anchor(&dev->out_anchor);
	dev->minor = -1;
	dsr_stream_init(dev);
}

static int dsr_probe(struct usb_interface *intf, const struct usb_device_id *id)
{
	struct dsr_dev *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dsr_dev_init(dev);
	dev->udev = usb_get_dev(interface_to_usbdev(intf));
	dev->intf = intf;

	ret = dsr_find_endpoints(dev, intf);
	if (ret)
		goto err_put;
	ret = dsr_read_board_info(dev);
	if (ret)
		goto err_put;
	/* the memory comes with the first stream: a plug costs nothing */
	dsr_ring_geometry(dev, dsr_param_ring_frames, dsr_param_ring_mb);

	usb_set_intfdata(intf, dev);
	mutex_lock(&dsr_minors_lock);
	ret = idr_alloc(&dsr_minors, dev, 0, DSR_MAX_BOARDS, GFP_KERNEL);
	mutex_unlock(&dsr_minors_lock);
	if (ret < 0) {
		dev_err(&intf->dev, "no free minor (at most %d boards)\n", DSR_MAX_BOARDS);
		goto err_intfdata;
	}
	dev->minor = ret;

	dev->class_dev = device_create(dsr_class, &intf->dev,
				       MKDEV(MAJOR(dsr_devt), dev->minor), dev,
				       "dsr%d", dev->minor);
	if (IS_ERR(dev->class_dev)) {
		ret = PTR_ERR(dev->class_dev);
		goto err_minor;
	}
	dev_info(&intf->dev,
		 "dsr%d: serial %s, rtl %u.%u, firmware %u.%u, max %ux%u, ring %u x %zu KiB%s\n",
		 dev->minor, dev->serial, dev->rtl_version >> 16, dev->rtl_version & 0xffff,
		 dev->firmware_version >> 16, dev->firmware_version & 0xffff,
		 dev->max_width, dev->max_height, dev->n_slots, dev->stride >> 10,
		 dev->board_flags & DSR_BOARD_INFO_SIMULATED ? ", simulated" : "");
	return 0;

err_minor:
	mutex_lock(&dsr_minors_lock);
	idr_remove(&dsr_minors, dev->minor);
	mutex_unlock(&dsr_minors_lock);
err_intfdata:
	usb_set_intfdata(intf, NULL);
err_put:
	kref_put(&dev->kref, dsr_delete);
	return ret;
}

/*
 * The board is gone (unplug, vhci detach, driver unbind): no new opens, no sysfs, no
 * control requests, URBs killed, every waiter woken with -ENODEV. Open files keep the
 * structure (and the ring their mappings show) until they close.
 */
static void dsr_disconnect(struct usb_interface *intf)
{
	struct dsr_dev *dev = usb_get_intfdata(intf);
	int minor = dev->minor;

	usb_set_intfdata(intf, NULL);
	mutex_lock(&dsr_minors_lock);
	idr_remove(&dsr_minors, minor);
	mutex_unlock(&dsr_minors_lock);
	device_destroy(dsr_class, MKDEV(MAJOR(dsr_devt), minor));

	/*
	 * Writers first see `disconnected` (ENODEV), the poisoned anchor kills the OUT URB
	 * in flight and refuses new ones, and once intf is NULL under io_mutex nothing
	 * can reach the interface (every submission and control request checks it there).
	 */
	WRITE_ONCE(dev->disconnected, true);
	wake_up_interruptible_all(&dev->wait);
	usb_poison_anchored_urbs(&dev->out_anchor);
	mutex_lock(&dev->io_mutex);
	dev->intf = NULL;
	mutex_unlock(&dev->io_mutex);

	dsr_stream_stop(dev);
	wake_up_interruptible_all(&dev->wait);

	dev_info(&intf->dev, "dsr%d disconnected\n", minor);
	kref_put(&dev->kref, dsr_delete);
}

/* Not implemented: a suspended board stops streaming; resume restarts nothing. */
static int dsr_suspend(struct usb_interface *intf, pm_message_t message)
{
	struct dsr_dev *dev = usb_get_intfdata(intf);

	if (dev)
		dsr_stream_stop(dev);
	return 0;
}

static int dsr_resume(struct usb_interface *intf)
{
	return 0;
}

static int dsr_open(struct inode *inode, struct file *file)
{
	struct dsr_dev *dev;

	mutex_lock(&dsr_minors_lock);
	dev = idr_find(&dsr_minors, iminor(inode));
	if (dev)
		kref_get(&dev->kref);
	mutex_unlock(&dsr_minors_lock);
	if (!dev)
		return -ENODEV;
	file->private_data = dev;
	return stream_open(inode, file);
}

static int dsr_release(struct inode *inode, struct file *file)
{
	struct dsr_dev *dev = file->private_data;

	dsr_release_reader(dev, file);
	wake_up_interruptible_all(&dev->wait);	/* a poller of another file may stream now */
	kref_put(&dev->kref, dsr_delete);
	return 0;
}

static const struct file_operations dsr_fops = {
	.owner = THIS_MODULE,
	.open = dsr_open,
	.release = dsr_release,
	.read = dsr_read,
	.write = dsr_write,
	.poll = dsr_poll,
	.mmap = dsr_mmap,
	.unlocked_ioctl = dsr_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	/* no .llseek: stream_open() makes every seek ESPIPE (no_llseek is gone in 6.12) */
};

static const struct usb_device_id dsr_ids[] = {
	{ USB_DEVICE_INTERFACE_NUMBER(DSR_USB_VID, DSR_USB_PID, DSR_USB_INTERFACE) },
	{ }
};
MODULE_DEVICE_TABLE(usb, dsr_ids);

static struct usb_driver dsr_driver = {
	.name = "dsr",
	.probe = dsr_probe,
	.disconnect = dsr_disconnect,
	.suspend = dsr_suspend,
	.resume = dsr_resume,
	.id_table = dsr_ids,
	.supports_autosuspend = 0,
};

/* class_create() lost its owner argument in 6.4. */
static struct class *dsr_class_create(const char *name)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	return class_create(name);
#else
	return class_create(THIS_MODULE, name);
#endif
}

/* /dev/dsrN devices need a region of minors, one cdev for all, and the class. */
static int __init dsr_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&dsr_devt, 0, DSR_MAX_BOARDS, "dsr");
	if (ret)
		return ret;
	cdev_init(&dsr_cdev, &dsr_fops);
	dsr_cdev.owner = THIS_MODULE;
	ret = cdev_add(&dsr_cdev, dsr_devt, DSR_MAX_BOARDS);
	if (ret)
		goto err_region;
	dsr_class = dsr_class_create(DSR_DEVICE_CLASS);
	if (IS_ERR(dsr_class)) {
		ret = PTR_ERR(dsr_class);
		goto err_cdev;
	}
	dsr_class->dev_groups = dsr_class_groups;
	dsr_wq = alloc_workqueue("dsr", WQ_UNBOUND | WQ_HIGHPRI, 0);
	if (!dsr_wq) {
		ret = -ENOMEM;
		goto err_class;
	}
	ret = usb_register(&dsr_driver);
	if (ret)
		goto err_wq;
	return 0;

err_wq:
	destroy_workqueue(dsr_wq);
err_class:
	class_destroy(dsr_class);
err_cdev:
	cdev_del(&dsr_cdev);
err_region:
	unregister_chrdev_region(dsr_devt, DSR_MAX_BOARDS);
	return ret;
}

static void __exit dsr_exit(void)
{
	usb_deregister(&dsr_driver);
	destroy_workqueue(dsr_wq);
	class_destroy(dsr_class);
	cdev_del(&dsr_cdev);
	unregister_chrdev_region(dsr_devt, DSR_MAX_BOARDS);
	idr_destroy(&dsr_minors);
}

module_init(dsr_init);
module_exit(dsr_exit);

MODULE_DESCRIPTION("DSR digital subtraction radiography board");
MODULE_AUTHOR("DSR appliance project");
MODULE_LICENSE("GPL");
