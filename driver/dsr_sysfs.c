// SPDX-License-Identifier: GPL-2.0
/*
 * dsr_sysfs.c - attributes of /sys/class/dsr/dsrN.
 *
 * What a technician or a udev rule needs without opening the device: the board's
 * identity (serial feeds the /dev/dsr/by-serial/ symlink), its versions, the frame
 * size, the stream counters and the active parameter generation. The class device is
 * destroyed in disconnect before the last reference can go, and sysfs waits for
 * running show() calls, so dev is valid in every one of them.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "dsr.h"

static ssize_t serial_show(struct device *d, struct device_attribute *attr, char *buf)
{
	struct dsr_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "%s\n", dev->serial);
}
static DEVICE_ATTR_RO(serial);

static ssize_t firmware_version_show(struct device *d, struct device_attribute *attr,
				     char *buf)
{
	struct dsr_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "%u.%u\n", dev->firmware_version >> 16,
			  dev->firmware_version & 0xffff);
}
static DEVICE_ATTR_RO(firmware_version);

static ssize_t rtl_version_show(struct device *d, struct device_attribute *attr, char *buf)
{
	struct dsr_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "%u.%u\n", dev->rtl_version >> 16, dev->rtl_version & 0xffff);
}
static DEVICE_ATTR_RO(rtl_version);

/* The board's largest frame, "WIDTHxHEIGHT". */
static ssize_t max_frame_size_show(struct device *d, struct device_attribute *attr,
				   char *buf)
{
	struct dsr_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "%ux%u\n", dev->max_width, dev->max_height);
}
static DEVICE_ATTR_RO(max_frame_size);

/* The newest frame's size, "WIDTHxHEIGHT" ("0x0" before the first). */
static ssize_t frame_size_show(struct device *d, struct device_attribute *attr, char *buf)
{
	struct dsr_dev *dev = dev_get_drvdata(d);
	u32 w, h;

	spin_lock(&dev->ring_lock);
	w = dev->last_width;
	h = dev->last_height;
	spin_unlock(&dev->ring_lock);
	return sysfs_emit(buf, "%ux%u\n", w, h);
}
static DEVICE_ATTR_RO(frame_size);

/* The ring's geometry, "FRAMESxSTRIDE" as DSR_IOC_GET_INFO gives it. */
static ssize_t ring_show(struct device *d, struct device_attribute *attr, char *buf)
{
	struct dsr_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "%ux%zu\n", dev->n_slots, dev->stride);
}
static DEVICE_ATTR_RO(ring);

/* One read-only attribute per u64 counter of struct dsr_ioc_stats. */
#define DSR_COUNTER_ATTR(name)							\
static ssize_t name##_show(struct device *d, struct device_attribute *attr,	\
			   char *buf)						\
{										\
	struct dsr_dev *dev = dev_get_drvdata(d);				\
	u64 v;									\
										\
	spin_lock(&dev->ring_lock);						\
	v = dev->stats.name;							\
	spin_unlock(&dev->ring_lock);						\
	return sysfs_emit(buf, "%llu\n", v);					\
}										\
static DEVICE_ATTR_RO(name)

DSR_COUNTER_ATTR(frames_received);
DSR_COUNTER_ATTR(frames_read);
DSR_COUNTER_ATTR(frames_dropped);
DSR_COUNTER_ATTR(frames_malformed);
DSR_COUNTER_ATTR(crc_errors);
DSR_COUNTER_ATTR(frames_bad);
DSR_COUNTER_ATTR(sequence_gaps);
DSR_COUNTER_ATTR(transfer_errors);
DSR_COUNTER_ATTR(stalls);
DSR_COUNTER_ATTR(frames_sent);

/* The board's active parameter generation, read from the board now. */
static ssize_t generation_show(struct device *d, struct device_attribute *attr, char *buf)
{
	struct dsr_dev *dev = dev_get_drvdata(d);
	u32 generation;
	int ret;

	ret = dsr_io_begin(dev);
	if (ret)
		return ret;
	ret = dsr_reg_read(dev, DSR_REG_GENERATION, &generation);
	dsr_io_end(dev);
	if (ret)
		return ret;
	return sysfs_emit(buf, "%u\n", generation);
}
static DEVICE_ATTR_RO(generation);

static struct attribute *dsr_class_attrs[] = {
	&dev_attr_serial.attr,
	&dev_attr_firmware_version.attr,
	&dev_attr_rtl_version.attr,
	&dev_attr_max_frame_size.attr,
	&dev_attr_frame_size.attr,
	&dev_attr_ring.attr,
	&dev_attr_frames_received.attr,
	&dev_attr_frames_read.attr,
	&dev_attr_frames_dropped.attr,
	&dev_attr_frames_malformed.attr,
	&dev_attr_crc_errors.attr,
	&dev_attr_frames_bad.attr,
	&dev_attr_sequence_gaps.attr,
	&dev_attr_transfer_errors.attr,
	&dev_attr_stalls.attr,
	&dev_attr_frames_sent.attr,
	&dev_attr_generation.attr,
	NULL,
};

static const struct attribute_group dsr_class_group = {
	.attrs = dsr_class_attrs,
};

const struct attribute_group *dsr_class_groups[] = {
	&dsr_class_group,
	NULL,
};
