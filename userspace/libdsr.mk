# libdsr.mk: the one definition of how a program links libdsr (included by userspace/'s own
# Makefile and by every Makefile outside userspace/ that builds against the library).
#
#   LIBDSR_PKGS      pkg-config packages libdsr uses
#   LIBDSR_DEPLIBS   every library libdsr needs, for a C or C++ link (DCMTK has no .pc)
#   LIBDSR_CFLAGS    -I for the public headers
#   LIBDSR_A         the static archive (userspace/build/libdsr.a)
#   LIBDSR_LIBS      archive + dependencies; add -lstdc++ when the final link is done by cc
#
# Shell scripts get the same line from `make -s -C userspace print-libs`.

LIBDSR_DIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
LIBDSR_PKGS := libpng libtiff-4 fftw3 libusb-1.0 jansson zlib libopenjp2
LIBDSR_DCMTK := -ldcmnet -ldcmjpeg -ldcmjpls -ldcmimage -ldcmimgle -ldcmdata -loflog -lofstd
LIBDSR_DEPLIBS := $(shell pkg-config --libs $(LIBDSR_PKGS)) $(LIBDSR_DCMTK) -lfftw3f -lm -lpthread
LIBDSR_CFLAGS := -I$(LIBDSR_DIR)/include
LIBDSR_A := $(LIBDSR_DIR)/build/libdsr.a
LIBDSR_LIBS := $(LIBDSR_A) $(LIBDSR_DEPLIBS)
