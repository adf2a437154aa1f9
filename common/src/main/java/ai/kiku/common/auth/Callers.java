package ai.kiku.common.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which services may call an internal endpoint; any other known caller gets 403. An internal endpoint
 * without it is closed to every caller (fail closed), so a new endpoint must say who it is for.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Callers {

    InternalCaller[] value();
}
