/*
 * Copyright (c) 2026, imglyb developers. BSD-2-Clause, see LICENSE.
 */
package net.imglib2.img.basictypeaccess;

/**
 * Compile-time stand-in for ImgLib2's {@code BooleanAccess} (ImgLib2 5.6 and newer), which the
 * ImgLib2 the bridge is compiled against (4.5) lacks. Only {@code org.imglyb.memory.NativeBooleanAccess}
 * implements it, and that class is loaded only where ImgLib2 has {@code NativeBoolType}. This file
 * is never embedded; the build's link check verifies the real interface has these methods (the
 * real one also extends {@code DataAccess}, which 4.5 lacks too and which adds only a default method).
 */
public interface BooleanAccess {

	boolean getValue(int index);

	void setValue(int index, boolean value);
}
