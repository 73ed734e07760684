from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linli.accounts import selectors


class LinliLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


@login_required
def home(request):
    context = selectors.home_for(request.user)
    return render(request, f"accounts/home_{context['kind']}.html", context)
