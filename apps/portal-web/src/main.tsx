import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { localStorageColorSchemeManager, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router-dom';
// Only the first screen's Mantine stylesheets; lazily loaded pages bring the rest (styles/later.css, App.tsx).
import './styles/first-screen.css';
import '@mantine/notifications/styles.css';
import './styles.css';
import { ApiError } from './api/client';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { ME_KEY } from './hooks/use-me';
import { cssVariablesResolver, theme } from './theme';

// A 401 anywhere means the session ended: re-ask who we are, and the shell sends the user to sign in.
const onSessionEnd = (error: unknown, key?: readonly unknown[]) => {
  if (error instanceof ApiError && error.status === 401 && key?.[0] !== ME_KEY[0]) void queryClient.invalidateQueries({ queryKey: ME_KEY });
};
const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error, q) => onSessionEnd(error, q.queryKey) }),
  mutationCache: new MutationCache({ onError: (error) => onSessionEnd(error) }),
  defaultOptions: {
    queries: {
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

// Dark mode follows the system setting unless the person picks light or dark (remembered in this browser).
const colorSchemeManager = localStorageColorSchemeManager({ key: 'portal-color-scheme' });
// A data router (rather than <BrowserRouter>) so a page can hold a navigation while it has unsaved work (useBlocker:
// the declare form, issue 18 item 2); the routes themselves stay in App.tsx.
const router = createBrowserRouter([{ path: '*', element: <App /> }]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <Notifications position="top-right" />
      <ErrorBoundary>
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </ErrorBoundary>
    </MantineProvider>
  </StrictMode>,
);
