package io.github.vmlifecycle.fake;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.immutables.value.Value;

/**
 * The project's Immutables style (the core's {@code VmlStyle}, which its module does not export): generated
 * implementations are package-private and hidden behind the abstract value type, and use only the JDK.
 */
@Target({ElementType.PACKAGE, ElementType.TYPE})
@Retention(RetentionPolicy.CLASS)
@Value.Style(
    visibility = Value.Style.ImplementationVisibility.PACKAGE,
    overshadowImplementation = true,
    builderVisibility = Value.Style.BuilderVisibility.PACKAGE,
    defaults = @Value.Immutable(copy = false),
    optionalAcceptNullable = true,
    jdkOnly = true)
@interface FakeStyle {}
