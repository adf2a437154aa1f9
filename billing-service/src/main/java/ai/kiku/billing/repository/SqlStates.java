package ai.kiku.billing.repository;

import io.vertx.pgclient.PgException;
import org.hibernate.JDBCException;

import java.sql.SQLException;

/** The SQLSTATE of a failed statement, however Hibernate Reactive wrapped PostgreSQL's answer. */
public final class SqlStates {

    public static final String UNIQUE_VIOLATION = "23505";

    private SqlStates() {
    }

    /** The first SQLSTATE in the cause chain; null when the failure did not come from PostgreSQL. */
    public static String of(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            String state = e instanceof PgException pg ? pg.getSqlState()
                    : e instanceof JDBCException jdbc ? jdbc.getSQLState()
                    : e instanceof SQLException sql ? sql.getSQLState() : null;
            if (state != null) {
                return state;
            }
        }
        return null;
    }

    public static boolean uniqueViolation(Throwable failure) {
        return UNIQUE_VIOLATION.equals(of(failure));
    }
}
