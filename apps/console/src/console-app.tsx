import { Center, Loader, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { I18nProvider, useI18n } from './i18n/i18n.context';
import { ACCOUNT_PAGE, CONSOLE_PAGES, pagesFor } from './layout/console-pages';
import { ConsoleLayout } from './layout/console-layout';
import { ACCOUNT_SCREEN, PAGE_SCREENS } from './pages/page-screens';
import { SignInPage } from './pages/sign-in/sign-in.page';
import { SessionProvider, useSession } from './session/session.context';
import { consoleCssVariables, consoleTheme } from './theme/console-theme';

/** Signed out, every path shows the sign-in form, so a bookmarked page opens after signing in. */
function Pages() {
  const { signedIn, checking, user } = useSession();
  const { t } = useI18n();
  if (checking)
    return (
      <Center h="100vh">
        <Loader aria-label={t('common.loading')} />
      </Center>
    );
  if (!signedIn) return <SignInPage />;
  // A `user` has only its own account; any other path (a shared admin link) lands there.
  const home = user?.role === 'user' ? ACCOUNT_PAGE.path : '/dashboard';
  const pages = new Set(pagesFor(user).map((p) => p.path));
  return (
    <Routes>
      <Route element={<ConsoleLayout />}>
        <Route index element={<Navigate to={home} replace />} />
        {/* Only the pages the navigation offers: another (a shared link) lands on the home page. */}
        {CONSOLE_PAGES.filter(({ path }) => pages.has(path)).map(({ path }) => {
          const Screen = PAGE_SCREENS[path];
          return <Route key={path} path={`${path}/*`} element={<Screen />} />;
        })}
        {user && <Route path={`${ACCOUNT_PAGE.path}/*`} element={<ACCOUNT_SCREEN />} />}
        <Route path="*" element={<Navigate to={home} replace />} />
      </Route>
    </Routes>
  );
}

export function ConsoleApp() {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } }));
  return (
    <MantineProvider theme={consoleTheme} cssVariablesResolver={consoleCssVariables} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <SessionProvider>
            <BrowserRouter>
              <Pages />
            </BrowserRouter>
          </SessionProvider>
        </I18nProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
